/**
 * Path handling as Go's path/filepath does it on Unix, and pprof's source-path trimming
 * (report.trimPath), which both shape the file names reports print.
 */

/** Go's filepath.Clean (Unix). */
export function cleanPath(path: string): string {
  if (path === "") return ".";
  const rooted = path.startsWith("/");
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length > 0 && parts[parts.length - 1] !== "..") parts.pop();
      else if (!rooted) parts.push("..");
      continue;
    }
    parts.push(part);
  }
  const joined = parts.join("/");
  if (rooted) return `/${joined}`;
  return joined === "" ? "." : joined;
}

/** Go's filepath.Base (Unix). */
export function basePath(path: string): string {
  if (path === "") return ".";
  let p = path;
  while (p.length > 0 && p.endsWith("/")) p = p.slice(0, -1);
  if (p === "") return "/";
  const slash = p.lastIndexOf("/");
  return slash >= 0 ? p.slice(slash + 1) : p;
}

/** Go's filepath.Dir (Unix). */
export function dirPath(path: string): string {
  const slash = path.lastIndexOf("/");
  return cleanPath(path.slice(0, slash + 1));
}

/** Go's filepath.Join (Unix). */
export function joinPath(...parts: string[]): string {
  const nonEmpty = parts.filter((p) => p !== "");
  if (nonEmpty.length === 0) return "";
  return cleanPath(nonEmpty.join("/"));
}

/** Go's filepath.SplitList (Unix): "" is an empty list. */
export function splitPathList(list: string): string[] {
  return list === "" ? [] : list.split(":");
}

/**
 * pprof's trimPath: with no trim path configured, strips everything up to and including the first
 * "/<basename of a search dir>/" found in the path; then strips a configured prefix, or
 * "/proc/self/cwd/./" and "/proc/self/cwd/".
 */
export function trimSourcePath(path: string, trimPath: string, searchPath: string): string {
  if (trimPath === "") {
    for (const dir of splitPathList(searchPath)) {
      const want = `/${basePath(dir)}/`;
      const found = path.indexOf(want);
      if (found !== -1) return path.slice(found + want.length);
    }
  }
  const prefixes = [...splitPathList(trimPath), "/proc/self/cwd/./", "/proc/self/cwd/"];
  for (let prefix of prefixes) {
    if (!prefix.endsWith("/")) prefix += "/";
    if (path.startsWith(prefix)) return path.slice(prefix.length);
  }
  return path;
}
