// Offline support: every file of the checklist is cached on first load, then served from the
// cache (cache first, refreshed in the background). Only this origin is ever contacted.
const VERSION = '__HOMEWARD_BUILD__';
const CACHE = `homeward-${VERSION}`;
const FILES = [
  './', './index.html', './embed.html', './app.js', './checklist.js', './storage.js', './style.css',
  './embed.js', './engine.js', './fields.js', './dates.js', './summary.js', './dom.js', './label-guard.js', './manifest.webmanifest', './vendor/nhsuk-frontend.min.css', './vendor/assets/images/favicon.svg',
  './pkg/homeward-runtime.js', './pkg/homeward-core.js', './pkg/platform.js', './pkg/homeward_runtime.js', './pkg/homeward_runtime_bg.wasm',
  './pkg/rulesets/england-national.hwrc', './pkg/rulesets/england-national+norfolk.hwrc',
];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('homeward-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  event.respondWith(
    caches.open(CACHE).then(async (cache) => {
      const cached = await cache.match(event.request, { ignoreSearch: true });
      const fresh = fetch(event.request)
        .then((response) => {
          if (response.ok) cache.put(event.request, response.clone());
          return response;
        })
        .catch(() => undefined);
      if (cached) {
        event.waitUntil(fresh);
        return cached;
      }
      const response = await fresh;
      return response || (event.request.mode === 'navigate' ? cache.match('./index.html') : Response.error());
    }),
  );
});
