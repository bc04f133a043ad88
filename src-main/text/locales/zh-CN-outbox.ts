/** Simplified Chinese: the outbox's words (as `./en-outbox.ts`). Part of `./zh-CN.ts`. */
import type { enOutbox } from './en-outbox.ts'

export const zhCNOutbox: Readonly<Record<keyof typeof enOutbox, string>> = {
  'failure.outboxStale.fileGone': '排队的文件在排队后已不存在（被移动或删除），因此没有发送任何内容。',
  'failure.outboxStale.fileChanged': '排队的文件在排队后被修改，因此没有发送任何内容。请重新发送。',
  'failure.outboxStale.other': '联系人上线时无法读取排队的文件，因此没有发送任何内容。',
  'failure.outboxFull': '发件箱已满。请取消一个排队的发送，或等待部分发送完成。',
  'failure.notAContact': '只有联系人才能接收排队的发送：请先将其添加为联系人。',
  'app.outbox.notAContact': '只有联系人才能接收排队的发送：请先将其添加为联系人',
  'app.outbox.oneRecipient': '排队发送只能有一个联系人：请分别为每个人排队',
  'app.outbox.delivered': '你排队的发送已送达 {name}。',
  'outbox.title': '等待发送',
  'outbox.waiting': '正在等待 {name} 上线',
  'outbox.delivering': '正在向 {name} 发送请求…',
  'outbox.cancel': '取消',
  'outbox.cancelWith': '取消发给 {name} 的排队发送',
  'outbox.couldNotCancel': '无法取消：',
  'peer.queueHint': '{name} 不在线：拖放到这里的内容会在发件箱中等待，对方上线后发送。',
  'cli.option.queue': '如果联系人不在线，将发送排队并等待其上线（按 Ctrl-C 会保留在发件箱中）',
  'cli.send.queued': '已为 {name} 排队：正在等待对方上线（按 Ctrl-C 会保留在发件箱中）。',
  'cli.help.outbox': '列出或取消等待联系人上线的发送',
  'cli.help.outboxList': '列出排队的发送',
  'cli.help.outboxCancel': '移除一个排队的发送（不会发送任何内容）',
  'cli.outbox.empty': '发件箱为空。',
  'cli.outbox.line': '{id}  发给 {peer}  {count, plural, other {# 个文件}}  {size}  排队于 {when}',
  'cli.outbox.lineText': '{id}  发给 {peer}  文本，{size}  排队于 {when}',
  'cli.outbox.cancelled': '已从发件箱移除 {id}；没有发送任何内容。',
  'cli.outbox.notFound': '发件箱中没有 {id}。'
}
