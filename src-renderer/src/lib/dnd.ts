/**
 * A drop target for files and folders, as a Svelte attachment (`{@attach dropTarget(…)}`): highlights while files
 * are dragged over it, refuses them with a reason when the target cannot take them now, and hands the dropped files
 * (folders expanded, see `files.ts`) to `onfiles`.
 *
 * A refused drag still lets the files be dropped (the drop effect stays `copy`): with `none` the browser would not
 * deliver the drop at all, and the person who let go would see nothing. The drop is then answered with the reason
 * (`onerror`), so the target can show it where the files were dropped.
 *
 * @example
 * ```svelte
 * <article {@attach dropTarget({ refusal: () => peer.blocked ? 'Blocked' : null, onstate: s => (drag = s),
 *   onfiles: files => ferry.send(peer, files), onerror: msg => (dropError = msg) })}>
 * ```
 */
import type { Attachment } from 'svelte/attachments'
import type { PickedFile } from '../api/index.ts'
import { dragHasFiles, pickedFromDrop } from './files.ts'
import { t } from './i18n.ts'

export type DragState = 'idle' | 'over' | 'refused'

export interface DropTargetOptions {
  /** Why a drop is refused now (shown to the person), or `null` to accept it. Read on every drag. */
  refusal: () => string | null
  onstate: (state: DragState) => void
  onfiles: (files: PickedFile[]) => void
  /** A refused drop or an unreadable folder, in words. */
  onerror: (message: string) => void
}

/** The attachment; see the module comment. */
export function dropTarget (opts: DropTargetOptions): Attachment<HTMLElement> {
  return (el) => {
    let depth = 0
    const enter = (e: DragEvent): void => {
      if (!dragHasFiles(e)) return
      e.preventDefault()
      depth++
      opts.onstate(opts.refusal() == null ? 'over' : 'refused')
    }
    const over = (e: DragEvent): void => {
      if (!dragHasFiles(e)) return
      e.preventDefault()
      if (e.dataTransfer != null) e.dataTransfer.dropEffect = 'copy'
    }
    const leave = (): void => {
      depth = Math.max(0, depth - 1)
      if (depth === 0) opts.onstate('idle')
    }
    const drop = (e: DragEvent): void => {
      if (!dragHasFiles(e) || e.dataTransfer == null) return
      e.preventDefault() // the window's handler sees it taken and only ends its drag hint
      depth = 0
      opts.onstate('idle')
      const reason = opts.refusal()
      if (reason != null) { opts.onerror(reason); return }
      pickedFromDrop(e.dataTransfer).then(files => {
        if (files.length === 0) opts.onerror(t('dnd.emptyFolder'))
        else opts.onfiles(files)
      }, () => opts.onerror(t('dnd.unreadable')))
    }
    el.addEventListener('dragenter', enter)
    el.addEventListener('dragover', over)
    el.addEventListener('dragleave', leave)
    el.addEventListener('drop', drop)
    return () => {
      el.removeEventListener('dragenter', enter)
      el.removeEventListener('dragover', over)
      el.removeEventListener('dragleave', leave)
      el.removeEventListener('drop', drop)
    }
  }
}
