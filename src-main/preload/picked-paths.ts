/**
 * What to grant for files a person picked or dropped, given each file's path (from webUtils) and
 * its `webkitRelativePath`: a file of a picked folder ("Holiday/2026/a.jpg") stands for the folder
 * itself ("/home/me/Holiday"), so the engine walks it whole, empty folders included; anything
 * else is itself (so is a file whose relative path does not end its path: never more than was
 * picked). Files the page made (no path) are left out. Each path once, in order.
 */
export function pickedPaths(files: ReadonlyArray<{ path: string; relativePath: string }>): string[] {
  const paths: string[] = [];
  const seen = new Set<string>();
  for (const { path, relativePath } of files) {
    if (path === '') continue;
    const granted = folderOf(path, relativePath) ?? path;
    if (!seen.has(granted)) {
      seen.add(granted);
      paths.push(granted);
    }
  }
  return paths;
}

/** "/home/me/Holiday" for ("/home/me/Holiday/2026/a.jpg", "Holiday/2026/a.jpg"); else undefined. */
function folderOf(path: string, relativePath: string): string | undefined {
  const segments = relativePath.split('/').filter((s) => s !== '');
  if (segments.length < 2) return undefined;
  let rest = path;
  // Strip "a.jpg", then "2026", off the end (either separator), each a whole segment.
  for (const part of segments.slice(1).reverse()) {
    const match = rest.endsWith(part) ? rest.slice(0, rest.length - part.length) : undefined;
    if (match === undefined || !/[\\/]$/.test(match)) return undefined;
    rest = match.replace(/[\\/]+$/, '');
  }
  const top = segments[0] as string;
  return rest.endsWith(top) && /[\\/]$/.test(rest.slice(0, rest.length - top.length)) ? rest : undefined;
}
