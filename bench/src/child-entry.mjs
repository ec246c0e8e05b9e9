/** The entry of a measurement child: `node --expose-gc child-entry.mjs <section> <args as JSON>`. */
const [section, rawArgs] = process.argv.slice(2);
const sections = {
  overhead: () => import('./sections/overhead.mjs'),
  sustained: () => import('./sections/sustained.mjs'),
  memory: () => import('./sections/memory.mjs'),
  accuracy: () => import('./sections/accuracy.mjs'),
};

try {
  const { measure } = await sections[section]();
  const value = await measure(JSON.parse(rawArgs));
  process.send({ value }, () => process.exit(0));
} catch (error) {
  process.send({ error: error?.stack ?? String(error) }, () => process.exit(1));
}
