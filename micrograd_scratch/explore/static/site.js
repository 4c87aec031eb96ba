// The static site's transport: the page's /api/ requests go to a Web
// Worker that runs this package in Pyodide (worker.js), not to a server.
// explore.js calls window.explorerTransport(path, body) where it would
// fetch, and gets the same JSON. The exporter puts this script before
// explore.js in the site's index.html; the server's page has neither.
// window.pythonWorker starts another such worker (the Learn view's, for
// the learner's code: learn.js), which its owner may end at any moment.
"use strict";

(() => {
  // The service worker keeps the site for the next visit (sw.js). Browsers
  // allow one only on https or localhost; elsewhere the site loads as usual.
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("sw.js").catch(() => {});

  // A worker running this package: request(path, body) -> a promise of
  // the answer's data; onProgress(text, done) while it loads, onFail(line)
  // if it cannot start; terminate().
  function pythonWorker({ onProgress = () => {}, onFail = () => {} } = {}) {
    const waiting = new Map(); // request id -> [resolve, reject]
    let next = 0;
    let failed = null;

    function fail(message) {
      failed = location.protocol === "file:"
        ? "open this page through a web server (python -m http.server -d FOLDER, or a course page), "
          + "not as a file: browsers do not start the Python worker from disk"
        : `could not start Python in this browser: ${message}`;
      onFail(failed);
      for (const [, reject] of waiting.values()) reject(new Error(failed));
      waiting.clear();
    }

    let worker;
    try {
      worker = new Worker("worker.js", { type: "module" });
    } catch (error) { // a page opened from disk, for one
      fail(error.message);
      worker = { postMessage() {}, terminate() {} };
    }

    worker.onmessage = (event) => {
      const m = event.data;
      if ("progress" in m) return onProgress(m.progress, m.done);
      if ("failed" in m) return fail(m.failed);
      const pending = waiting.get(m.id);
      if (!pending) return;
      waiting.delete(m.id);
      const [resolve, reject] = pending;
      if ("error" in m) return reject(new Error(m.error));
      const { status, data } = JSON.parse(m.answer);
      if (status === 200) resolve(data);
      else reject(new Error(data.error || `the worker answered ${status}`));
    };
    worker.onerror = (event) => fail(event.message || "the worker stopped");

    return {
      request: (path, body) => new Promise((resolve, reject) => {
        if (failed) return reject(new Error(failed));
        const id = ++next;
        waiting.set(id, [resolve, reject]);
        worker.postMessage({ id, path, body: body === undefined ? "" : JSON.stringify(body) });
      }),
      terminate() {
        worker.terminate();
        failed = "the worker was ended";
        for (const [, reject] of waiting.values()) reject(new Error(failed));
        waiting.clear();
      },
    };
  }

  const started = performance.now();

  function showLoading(text, done) {
    const box = document.getElementById("loading");
    if (!box) return;
    box.hidden = false;
    document.getElementById("loading-bar").value = done;
    document.getElementById("loading-text").textContent = text;
    if (done >= 1) {
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      document.getElementById("loading-text").textContent = `Python ready in ${seconds} s`;
      document.getElementById("loading-bar").hidden = true;
    }
  }

  function hideLoading() { // the page shows the message (its first request fails with it)
    const box = document.getElementById("loading");
    if (box) box.hidden = true;
  }

  const explorer = pythonWorker({ onProgress: showLoading, onFail: hideLoading });
  window.pythonWorker = pythonWorker;
  window.explorerTransport = explorer.request;
})();
