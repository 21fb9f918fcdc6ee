#!/usr/bin/env node
// The `h5swmr` command: one module per subcommand.
import * as check from './check'
import { errorLine } from './format'
import * as follow from './follow'
import * as join from './join'
import * as ls from './ls'
import * as simulate from './simulate'
import * as view from './view'
import * as watch from './watch'

const commands: Record<string, { run(argv: string[]): Promise<number>; help: string }> = { simulate, follow, join, ls, watch, view, check }

const usageText = `Usage: h5swmr <command> [options]

Commands:
  simulate FILE     write a detector scan in SWMR mode (for testing readers)
  follow FILE       follow a live scan frame by frame
  join OUT SHARD... join the per-shard results of follow --output into one file, in scan order
  ls FILE           list groups and datasets, with growth and the file's SWMR status
  watch FILE PATH   print rows appended to a growing dataset (like h5watch)
  view FILE         watch a scan live in the browser (a local web page)
  check FILE...     vet files from someone else: each walked in a process of its own, with a time limit

Options:
  -h, --help        this help ('h5swmr <command> --help' describes each command)
  -V, --version     the version of h5swmr

Exit status: 0 done, 1 failed (the error's code in parentheses), 2 a usage error.
`

/** The package's version, from its package.json (dist/cli/ -> the package). */
function version(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../../package.json') as { version: string }).version
}

/** Usage errors (ours, and node:util parseArgs's) exit 2, as with other command-line tools. */
function isUsageError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && (code === 'ERR_USAGE' || code.startsWith('ERR_PARSE_ARGS'))
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(usageText)
    return 0
  }
  if (name === '-V' || name === '--version') {
    process.stdout.write(`${version()}\n`)
    return 0
  }
  if (!name) {
    process.stderr.write(`h5swmr: expected a command; 'h5swmr --help' lists them (ERR_USAGE)\n`)
    return 2
  }
  const command = commands[name]
  if (!command) {
    process.stderr.write(`h5swmr: unknown command '${name}'; 'h5swmr --help' lists them (ERR_USAGE)\n`)
    return 2
  }
  try {
    return await command.run(rest)
  } catch (err) {
    process.stderr.write(errorLine(name, err) + '\n')
    if (process.env.H5SWMR_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`)
    return isUsageError(err) ? 2 : 1
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
