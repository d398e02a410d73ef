/**
 * Errors a user can act on. Every layer throws a subclass of HeapscopeError; the CLI prints
 * `heapscope: <message>` as one line and exits with `exitCode` (2 = usage or input error).
 * Anything else that escapes is a bug, still reported as one line, never as a stack trace.
 */
export class HeapscopeError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** Bad flags or arguments. */
export class UsageError extends HeapscopeError {}

/** An input (file, URL, stdin) that cannot be read or is not what it should be. `input` names it. */
export class InputError extends HeapscopeError {
  readonly input: string;
  constructor(input: string, problem: string) {
    super(`${input}: ${problem}`);
    this.input = input;
  }
}

/** Bytes that are not a valid profile.proto (or legacy text profile). Thrown by the decoders only. */
export class ProfileDecodeError extends HeapscopeError {}

/** Text that does not parse in a format (gctrace, MemStats, goroutine dump, benchmark output). */
export class FormatError extends HeapscopeError {}

/** Bytes that are not a valid Go heap dump (runtime/debug.WriteHeapDump). Names the byte offset. */
export class HeapDumpError extends HeapscopeError {}

/** A recording that cannot be opened or written. */
export class RecordingError extends HeapscopeError {}

/** Attach the input's name to a layer error that did not know it. */
export function withInput(input: string, error: unknown): HeapscopeError {
  if (error instanceof InputError) return error;
  if (error instanceof HeapscopeError) {
    const wrapped = new InputError(input, error.message);
    return wrapped;
  }
  const message = error instanceof Error ? error.message : String(error);
  return new InputError(input, message);
}
