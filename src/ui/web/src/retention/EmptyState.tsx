/** What the retention view says when the document has no heap dump: how to get one. */
export const DUMP_COMMANDS = [
  "heapscope doctor --url http://127.0.0.1:6060 --keep-dump --out run.hsrec -- go run ./cmd/server -addr 127.0.0.1:6060",
  "heapscope ui run.hsrec",
];
export const HOOK_COMMANDS = [
  "heapscope hook ./cmd/server && go build -tags heapscope -o server ./cmd/server",
  "HEAPSCOPE_HOOK_DIR=$(mktemp -d) HEAPSCOPE_HOOK_ADDR=127.0.0.1:7070 HEAPSCOPE_HOOK_TOKEN=$TOKEN ./server",
  "curl -X POST -H \"Authorization: Bearer $TOKEN\" 'http://127.0.0.1:7070/heapscope/heapdump?gc=1'",
  "heapscope ui DUMP_PATH_FROM_CURL --binary ./server",
];

export function RetentionEmptyState({ message }: { message: string }) {
  return (
    <section class="empty retention-empty" aria-label="No heap dump">
      <p>{message}</p>
      <p>
        What holds the memory is read from a heap dump. Record one with the doctor, which keeps it in the
        recording:
      </p>
      <pre>{DUMP_COMMANDS.join("\n")}</pre>
      <p>Or build the program with the dump hook, ask it for a dump and open the file it wrote:</p>
      <pre>{HOOK_COMMANDS.join("\n")}</pre>
      <p class="muted">A heap dump holds every secret in the program's memory: keep it private.</p>
    </section>
  );
}
