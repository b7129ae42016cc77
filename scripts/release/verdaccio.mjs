// A real npm registry for the rehearsal: Verdaccio, in this process, on 127.0.0.1 and a port the
// OS picks, storing into a temporary folder, with anonymous publish and no uplink (it serves only
// what the rehearsal publishes). stop() closes it; it also dies with this process.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { runServer } from "verdaccio";

export async function startVerdaccio(dir) {
  const storage = join(dir, "storage");
  mkdirSync(storage, { recursive: true });
  const app = await runServer({
    self_path: join(dir, "config.yaml"),
    storage,
    auth: { htpasswd: { file: join(dir, "htpasswd"), max_users: -1 } },
    uplinks: {},
    packages: { "**": { access: "$all", publish: "$anonymous $all", unpublish: "$all" } },
    log: { type: "stdout", format: "pretty", level: "error" },
  });
  const server = await new Promise((done, fail) => {
    const listening = app.listen(0, "127.0.0.1", () => done(listening));
    listening.once("error", fail);
  });
  const url = `http://127.0.0.1:${server.address().port}/`;
  return {
    url,
    stop: () =>
      new Promise((done) => {
        server.closeAllConnections?.();
        server.close(() => done());
      }),
  };
}
