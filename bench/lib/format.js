// Tables: one structure ({ title, columns, rows, notes }) rendered as aligned text or markdown.
'use strict'

const num = (x, digits = 0) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }))
/** Significant-ish: 3 digits for small values, integers for large ones. */
function sig(x) {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–'
  const a = Math.abs(x)
  if (a >= 100) return num(x, 0)
  if (a >= 10) return num(x, 1)
  if (a >= 1) return num(x, 2)
  return num(x, 3)
}
const ratio = (r) => (!r || r.median === null ? '–' : `${r.median.toFixed(2)} (${r.min.toFixed(2)}–${r.max.toFixed(2)})`)

/** columns: [{ head, align: 'l'|'r' }]; rows: arrays of strings. */
function renderText(table) {
  const { columns, rows } = table
  const widths = columns.map((c, k) => Math.max(c.head.length, ...rows.map((r) => String(r[k]).length)))
  const cell = (s, k) => (columns[k].align === 'l' ? String(s).padEnd(widths[k]) : String(s).padStart(widths[k]))
  const lines = []
  if (table.title) lines.push(table.title)
  lines.push(columns.map((c, k) => cell(c.head, k)).join('  '))
  lines.push(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const r of rows) lines.push(r.map((s, k) => cell(s, k)).join('  '))
  for (const n of table.notes ?? []) lines.push(`  ${n}`)
  return lines.join('\n')
}

function renderMarkdown(table) {
  const esc = (s) => String(s).replace(/\|/g, '\\|')
  const lines = []
  if (table.title) lines.push(`**${table.title}**`, '')
  lines.push(`| ${table.columns.map((c) => esc(c.head)).join(' | ')} |`)
  lines.push(`|${table.columns.map((c) => (c.align === 'l' ? '---' : '---:')).join('|')}|`)
  for (const r of table.rows) lines.push(`| ${r.map(esc).join(' | ')} |`)
  if (table.notes?.length) lines.push('', ...table.notes.map((n) => `- ${n}`))
  return lines.join('\n')
}

module.exports = { num, sig, ratio, renderText, renderMarkdown }
