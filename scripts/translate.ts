// Entry point of `npm run translate`. The logger writes JSON lines to stdout, where the
// translations go, so it is silent here unless LOG_LEVEL sets a level. The setting must come
// before any module that creates the logger is loaded, hence the dynamic import.
process.env.LOG_LEVEL ??= "silent";
const { runTranslateCli } = await import("./lib/translate-cli");
process.exitCode = await runTranslateCli(process.argv.slice(2));
export {};
