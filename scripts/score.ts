// Entry point of `npm run score`. The logger writes JSON lines to stdout, where the scores go, so
// it is silent here unless LOG_LEVEL sets a level. The setting must come before any module that
// creates the logger is loaded, hence the dynamic import.
process.env.LOG_LEVEL ??= "silent";
const { runScoreCli } = await import("./lib/score-cli");
process.exitCode = await runScoreCli(process.argv.slice(2));
export {};
