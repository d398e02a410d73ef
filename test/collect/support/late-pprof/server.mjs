// A stand-in for a Go program whose expvar handler answers a moment before its pprof routes do:
// until `delayMs` after it starts listening, every /debug/pprof/ request gets its connection reset
// (what a client sees while a listener is being swapped in). Usage: server.mjs PORT PROFILE_DIR DELAY_MS
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";

const [port, dir, delayMs] = process.argv.slice(2);
const heap = readFileSync(path.join(dir, "heap.pb.gz"));
const goroutine = readFileSync(path.join(dir, "goroutine.pb.gz"));
let pprofFrom = Number.POSITIVE_INFINITY;

const server = createServer((req, res) => {
  const route = (req.url ?? "").split("?")[0];
  if (route === "/debug/vars") {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ cmdline: [process.argv[1]], memstats: { HeapAlloc: 2048, NumGC: 1 } }));
    return;
  }
  if (route.startsWith("/debug/pprof/") && Date.now() < pprofFrom) {
    process.stdout.write(`reset ${route}\n`);
    req.socket.destroy();
    return;
  }
  if (route === "/debug/pprof/")
    res.end("<a href='heap?debug=1'>heap</a> <a href='goroutine?debug=1'>goroutine</a>");
  else if (route === "/debug/pprof/heap") res.end(heap);
  else if (route === "/debug/pprof/goroutine") res.end(goroutine);
  else {
    res.statusCode = 404;
    res.end("404 page not found\n");
  }
});
server.listen(Number(port), "127.0.0.1", () => {
  pprofFrom = Date.now() + Number(delayMs);
});
process.on("SIGTERM", () => process.exit(0));
