/**
 * Builds the package in the current folder: `dist/` anew (a renamed or deleted source must not ship a stale
 * `.js`), then `tsc -p tsconfig.build.json`.
 *
 * As `prepack` (`--prepack`) it first refuses any packer but pnpm: only pnpm swaps in `publishConfig.exports`
 * and turns `workspace:` ranges into versions, and a package packed by npm would point users at `.ts` files
 * under `node_modules`, which Node refuses to run.
 *
 * Usage: `pnpm build` (every package), or `pnpm run build` in one package.
 */
import { spawnSync } from "node:child_process"
import { rmSync } from "node:fs"
import { join } from "node:path"

if (process.argv.includes("--prepack") && !(process.env.npm_config_user_agent ?? "").startsWith("pnpm/")) {
  console.error(
    "Pack and publish this package with pnpm (`pnpm pack`, `pnpm publish`): other tools leave its exports pointing " +
      "at the .ts sources and its workspace: ranges unresolved."
  )
  process.exit(1)
}

rmSync(join(process.cwd(), "dist"), { recursive: true, force: true })
const tsc = join(import.meta.dirname, "..", "node_modules", ".bin", "tsc")
const { status } = spawnSync(tsc, ["-p", "tsconfig.build.json"], { stdio: "inherit" })
process.exit(status ?? 1)
