/**
 * Path safety: the one module every peer-supplied file path passes through before anything touches disk.
 *
 * An offer lists files as `{ path, size }`, where `path` is a `/`-separated relative path such as
 * `photos/2024/beach.jpg`. The receiver writes them under a download folder it chose (`root`). A hostile or buggy
 * peer must not be able to write outside `root`, overwrite a file, or disguise a name, so:
 *
 * 1. **The whole list is validated first** ({@link validateFileList}): each path with {@link validateRelativePath},
 *    then collisions across the list. Paths are refused, never silently rewritten. Refused:
 *    - escaping the folder: `..` segments, absolute (`/etc/passwd`), drive (`C:\x`, `c:x`) and UNC
 *      (`\\server\share`, `//server/share`) paths, any backslash;
 *    - names Windows cannot hold or reads differently: reserved device names (`CON`, `nul.txt`, `COM¹`), the
 *      characters `< > : " | ? *`, a trailing dot or space;
 *    - names that hide what they are: control characters (NUL, terminal escapes), invisible and bidi characters
 *      (`evil\u202Etxt.exe` displays as `evilexe.txt`);
 *    - empty and `.` segments, names over 255 UTF-8 bytes, paths over 1024 bytes or 32 levels;
 *    - the name of the folder that holds partial files, `.ferry-partial` ({@link PARTIAL_FOLDER}), in any case;
 *    - collisions: duplicates, names equal after Unicode NFC + lower case (one file on macOS and Windows), and a
 *      name offered both as a file and as a folder.
 * 2. **Each path is joined under `root`** ({@link resolveInside}) and checked again with `path.relative`, so even a
 *    sibling folder sharing a prefix (`/dl` vs `/dl-evil`) is unreachable.
 * 3. **Folders are created one segment at a time** ({@link prepareDestination}) with `lstat`, refusing a link or a
 *    non-folder on the way — a link left in the download folder cannot redirect a write.
 * 4. **Partial files live in their own folder** ({@link preparePartialFolder}), `<root>/.ferry-partial/`, which no
 *    offered path can name: a placed file is never taken for a temp file.
 * 5. **Finished files are placed without overwriting** ({@link placeFile}): an atomic hard link to a free name
 *    (`report.pdf` → `report (1).pdf`), falling back to check-then-rename where links are unsupported.
 *
 * Every refusal is an {@link UnsafePathError} (`code: 'unsafe-path'`) with a `reason` such as `parent-segment` and
 * a message for a person: `Refused "../etc/passwd": it points outside the download folder`.
 *
 * Sources: croc `src/receivefs/path.go` (component rules, collision keys, file-vs-folder check), LocalSend's file
 * name sanitizer (peer-supplied names in a LAN sharing app), Microsoft "Naming Files, Paths, and Namespaces"
 * (reserved names, forbidden characters, trailing dot/space), Unicode TR#36 (invisible and bidi characters).
 * Limits and their sources are in `constants.ts`.
 *
 * @example
 * ```ts
 * import { validateFileList, prepareDestination, placeFile } from './core/paths/index.ts'
 *
 * const offer = [{ path: 'photos/2024/beach.jpg', size: 1_048_576 }]
 * validateFileList(offer.map(f => f.path))             // throws UnsafePathError before anything touches disk
 * for (const file of offer) {
 *   const dir = await prepareDestination(root, file.path, signal)   // creates root/photos/2024
 *   const tempPath = await receiveToTemp(dir, file)                 // write + verify (transfer module)
 *   const name = file.path.split('/').at(-1)!
 *   const finalPath = await placeFile(tempPath, dir, name, signal)  // root/photos/2024/beach (1).jpg if taken
 * }
 * ```
 */
export {
  MAX_SEGMENT_BYTES, MAX_PATH_BYTES, MAX_DEPTH, MAX_FREE_NAME_ATTEMPTS,
  CONTROL_CHARACTERS, INVISIBLE_CHARACTERS, PARTIAL_FOLDER
} from './constants.ts'
export { UnsafePathError, NoFreeNameError } from './errors.ts'
export type { UnsafePathReason } from './errors.ts'
export { validateRelativePath, validateFileList, collisionKey, isPartialFolderName } from './validate.ts'
export { resolveInside, prepareDestination, preparePartialFolder, partialFolderOf, freeName, placeFile, numberedName } from './resolve.ts'
