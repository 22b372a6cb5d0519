import { createServer } from "node:net";

/** Returns a TCP port on 127.0.0.1 that was free a moment ago, chosen by the operating system. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : null;
      server.close(() => (port ? resolve(port) : reject(new Error("could not read the port the OS assigned"))));
    });
  });
}
