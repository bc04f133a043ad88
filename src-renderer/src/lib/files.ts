/**
 * Turning what a person dropped or picked into {@link PickedFile}s: each file with the `/`-separated path it gets in
 * the transfer. Dropped folders are walked with `webkitGetAsEntry()`; a folder picked with `webkitdirectory` carries
 * `webkitRelativePath`. Paths start with the dropped folder's name (`photos/2024/a.jpg`); a loose file is its name.
 *
 * @example
 * ```ts
 * el.addEventListener('drop', e => {
 *   const pending = pickedFromDrop(e.dataTransfer!) // read the items now: they expire after the event
 *   void pending.then(files => ferry.send(peer, files))
 * })
 * ```
 */
import type { PickedFile } from '../api/index.ts'

/**
 * Reads a drop's items synchronously (they are only valid during the event) and walks folders asynchronously.
 *
 * @throws {Error} (rejects) when a folder cannot be read
 */
export function pickedFromDrop (dt: DataTransfer): Promise<PickedFile[]> {
  const entries: FileSystemEntry[] = []
  const loose: File[] = []
  for (const item of Array.from(dt.items)) {
    if (item.kind !== 'file') continue
    const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null
    if (entry != null) entries.push(entry)
    else {
      const f = item.getAsFile()
      if (f != null) loose.push(f)
    }
  }
  if (entries.length === 0 && loose.length === 0) {
    for (const f of Array.from(dt.files)) loose.push(f)
  }
  return (async () => {
    const out: PickedFile[] = loose.map(file => ({ file, relativePath: file.name }))
    for (const entry of entries) await walk(entry, '', out)
    return out
  })()
}

/** Files from an `<input type="file">`: with `webkitdirectory`, each keeps its path under the picked folder. */
export function pickedFromInput (list: FileList | null): PickedFile[] {
  if (list == null) return []
  return Array.from(list).map(file => ({ file, relativePath: file.webkitRelativePath !== '' ? file.webkitRelativePath : file.name }))
}

/** True when a drag carries files (not text or a link), so a drop target may offer itself. */
export function dragHasFiles (e: DragEvent): boolean {
  return e.dataTransfer != null && Array.from(e.dataTransfer.types).includes('Files')
}

async function walk (entry: FileSystemEntry, prefix: string, out: PickedFile[]): Promise<void> {
  const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`
  if (isFile(entry)) {
    const file = await new Promise<File>((resolve, reject) => entry.file(resolve, reject))
    out.push({ file, relativePath: path })
  } else if (isDirectory(entry)) {
    for (const child of await readAll(entry)) await walk(child, path, out)
  }
}

/** `readEntries` returns at most ~100 entries per call: call it until it returns none. */
async function readAll (dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader()
  const all: FileSystemEntry[] = []
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject))
    if (batch.length === 0) return all
    all.push(...batch)
  }
}

function isFile (e: FileSystemEntry): e is FileSystemFileEntry { return e.isFile }
function isDirectory (e: FileSystemEntry): e is FileSystemDirectoryEntry { return e.isDirectory }
