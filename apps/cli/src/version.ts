import pkg from "../package.json" with { type: "json" };

/** The commit the CLI was built from (tsdown's `define`), when it was built in a git clone. */
declare const __BUILD_COMMIT__: string | undefined;
const commit = typeof __BUILD_COMMIT__ === "string" ? __BUILD_COMMIT__ : "";

/**
 * The version: the package's, or for an unreleased build from a clone (the workspace's 0.0.0)
 * `0.0.0-dev+<commit>`, so that nobody mistakes it for a release.
 */
export const version: string =
  pkg.version === "0.0.0" ? `0.0.0-dev${commit ? `+${commit}` : ""}` : pkg.version;

/** What `dt-tokens --version` prints. */
export const versionText: string =
  pkg.version === "0.0.0" ? `${version} (unreleased build from a clone of the repository)` : version;
