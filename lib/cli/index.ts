#!/usr/bin/env node
// The `h5swmr` command: one module per subcommand.
import { errorLine } from './format'
import * as follow from './follow'
import * as join from './join'
import * as ls from './ls'
import * as simulate from './simulate'
import * as view from './view'
import * as watch from './watch'

const commands: Record<string, { run(argv: string[]): Promise<number>; help: string }> = { simulate, follow, join, ls, watch, view }

const usageText = `Usage: h5swmr <command> [options]

Commands:
  simulate FILE     write a detector scan in SWMR mode (for testing readers)
  follow FILE       follow a live scan frame by frame
  join OUT SHARD... join the per-shard results of follow --output into one file, in scan order
  ls FILE           list groups and datasets, with growth and the file's SWMR status
  watch FILE PATH   print rows appended to a growing dataset (like h5watch)
  view FILE         watch a scan live in the browser (a local web page)

'h5swmr <command> --help' describes each command.
`

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (!name || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(usageText)
    return name ? 0 : 1
  }
  const command = commands[name]
  if (!command) {
    process.stderr.write(`h5swmr: unknown command '${name}' (ERR_USAGE)\n${usageText}`)
    return 1
  }
  try {
    return await command.run(rest)
  } catch (err) {
    process.stderr.write(errorLine(name, err) + '\n')
    if (process.env.H5SWMR_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`)
    return 1
  }
}

// `h5swmr … | head` closes stdout early: that is a normal end, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0)
  throw err
})

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code
})
