import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { git, stopChildren } from "./bench-commands.js";

/**
 * Owns the temporary directory and the git worktree: `cleanup()` is idempotent and synchronous,
 * so it can run from a signal handler or process exit as well as from `finally`.
 */
export class TemporaryWorkspace {
  readonly root: string;
  private worktree: string | undefined;
  private done = false;
  private interrupted = false;
  private readonly handlers: [NodeJS.Signals, () => void][] = [];
  private readonly onExit = () => this.cleanup();

  constructor(private readonly gitRoot: string) {
    this.root = mkdtempSync(path.join(os.tmpdir(), "heapscope-bench-"));
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as NodeJS.Signals[]) {
      const handler = () => {
        if (this.interrupted) return;
        this.interrupted = true;
        // Pass the interrupt on (a terminal would have sent it to them too) and give the go
        // command a moment to delete its own temporary files before the worktree goes.
        void stopChildren().finally(() => {
          this.cleanup();
          process.exit(signal === "SIGINT" ? 130 : signal === "SIGTERM" ? 143 : 129);
        });
      };
      process.on(signal, handler);
      this.handlers.push([signal, handler]);
    }
    process.on("exit", this.onExit);
  }

  async addWorktree(commit: string, env?: NodeJS.ProcessEnv): Promise<string> {
    const target = path.join(this.root, "base");
    this.worktree = target;
    await git(["worktree", "add", "--detach", "--quiet", target, commit], this.gitRoot, env);
    return target;
  }

  cleanup(): void {
    if (this.done) return;
    this.done = true;
    for (const [signal, handler] of this.handlers) process.off(signal, handler);
    process.off("exit", this.onExit);
    if (this.worktree) {
      try {
        execFileSync("git", ["worktree", "remove", "--force", this.worktree], {
          cwd: this.gitRoot,
          stdio: "ignore",
        });
      } catch {
        // Fall through: removing the directory and pruning still unregisters it.
      }
    }
    try {
      rmSync(this.root, { recursive: true, force: true });
    } catch {
      // A temporary directory we cannot delete is left to the OS.
    }
    if (this.worktree) {
      try {
        execFileSync("git", ["worktree", "prune"], { cwd: this.gitRoot, stdio: "ignore" });
      } catch {
        // Nothing more to do.
      }
    }
  }
}
