// The static site's service worker: the site kept in the browser, so that a
// second visit starts without downloading anything, even offline.
//
// On install it stores every file of the site (site.json lists them) in a
// cache named after this export's build; it then answers the site's own
// requests from that cache, the page's and the Python worker's alike. A new
// export has a new BUILD (the exporter writes it below), so the browser
// installs the new worker, which stores the new files and deletes the old
// cache. Requests to anywhere else are not touched (the site makes none).
"use strict";

const BUILD = "dev"; // the exporter writes the export's own here
const CACHE = `micrograd-explorer-${BUILD}`;

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const listing = await fetch("site.json", { cache: "no-cache" });
    const { files } = await listing.json();
    const cache = await caches.open(CACHE);
    await cache.addAll(["./", ...files]);
    await self.skipWaiting(); // the new files are in: take over from an older export's worker
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("micrograd-explorer-") && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    return (await cache.match(request, { ignoreSearch: true })) || fetch(request);
  })());
});
