// The static site's Web Worker: Python in the browser, answering the page.
//
// It loads Pyodide (the CPython interpreter compiled to WebAssembly), puts
// this package's own .py files on its path (python/, listed in
// python/files.json), and answers each request the page sends with
// micrograd_scratch/explore/browser.py, which calls the same api.py
// functions the local server calls. Graphs are the same DOT text, laid out
// here by Graphviz compiled to WebAssembly (@viz-js/viz). No op, gradient
// or training step is written in JavaScript: only the plumbing is.
//
// Messages: the page sends {id, path, body} (body: JSON text); the worker
// answers {id, answer} (browser.answer's JSON text: {status, data}) or
// {id, error}; while it loads it sends {progress, done} (done from 0 to 1),
// and {failed} if it cannot start.
import { loadPyodide } from "./pyodide/pyodide.mjs";
import { instance as vizInstance } from "./viz/viz.js";

const here = (path) => new URL(path, import.meta.url).href;
const HOME = "/home/pyodide/python"; // where the package's files go in Pyodide's file system

function progress(text, done) {
  postMessage({ progress: text, done });
}

async function fetchText(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.text();
}

// The package's .py files, written into Pyodide's file system.
async function loadSources(pyodide) {
  const names = JSON.parse(await fetchText(here("python/files.json")));
  const texts = await Promise.all(names.map((name) => fetchText(here(`python/${name}`))));
  names.forEach((name, i) => {
    const path = `${HOME}/${name}`;
    pyodide.FS.mkdirTree(path.slice(0, path.lastIndexOf("/")));
    pyodide.FS.writeFile(path, texts[i]);
  });
  pyodide.runPython(`import sys; sys.path.insert(0, ${JSON.stringify(HOME)})`);
}

async function start() {
  progress("loading Python (Pyodide, about 13 MB the first time)…", 0.05);
  const [pyodide, viz] = await Promise.all([
    loadPyodide({ indexURL: here("pyodide/") }),
    vizInstance(),
  ]);
  progress("loading micrograd_scratch…", 0.8);
  await loadSources(pyodide);
  const browser = pyodide.pyimport("micrograd_scratch.explore.browser");
  browser.start((dot) => viz.renderString(dot, { format: "svg" }));
  progress("ready", 1);
  return browser;
}

const ready = start();
ready.catch((error) => postMessage({ failed: String((error && error.message) || error) }));

onmessage = async (event) => {
  const { id, path, body } = event.data;
  try {
    const browser = await ready;
    postMessage({ id, answer: browser.answer(path, body) });
  } catch (error) {
    postMessage({ id, error: String((error && error.message) || error) });
  }
};
