// Serves the docs site with the VitePress dev server (the API reference is generated first, by
// the site's config) and prints its address.
import { createServer } from 'vitepress';

const root = new URL('..', import.meta.url).pathname;
const port = Number(process.env.PORT ?? 5173);
const server = await createServer(root, { host: process.env.HOST ?? 'localhost', port });
await server.listen();
const url = server.resolvedUrls?.local[0] ?? `http://localhost:${port}/`;
const line = '─'.repeat(url.length + 26);
console.log(`\n${line}\n  cemaf docs are served at ${url}\n${line}\n  (Ctrl+C to stop)\n`);
