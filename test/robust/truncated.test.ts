// A truncated copy of a SWMR file, opened for SWMR reading. HDF5 1.10.8 refuses it at open; 1.14
// and 2.x skip that check for SWMR readers (a live file's superblock may run ahead of what is
// written), so the reader meets the cut when it reads metadata past it. Metadata that starts past
// the end of the file is not there (a SWMR writer writes what it links to before the link): h5swmr's
// reader driver says so at once, H5_TRUNCATED, instead of letting HDF5 retry a checksum that zeros
// never match (27 attempts and 134 ms of sleeps per read; a truncated scan with a few datasets took
// seconds: the Debian testing mutant stall of issue 24).
import * as fs from 'node:fs'
import * as path from 'node:path'
import { File, H5Error } from '../../lib'
import { simulateScan } from '../../lib/simulate'
import { tmpDir } from '../helpers/processes'

const dir = tmpDir()
const [major, minor] = File.libraryInfo().version.split('.').map(Number)
const opensTruncated = major > 1 || minor >= 12

interface Outcome {
  cut: number
  opened: boolean
  codes: string[]
  messages: string[]
}

function walk(file: string, cut: number): Outcome {
  const out: Outcome = { cut, opened: false, codes: [], messages: [] }
  const note = (err: unknown) => {
    expect(err).toBeInstanceOf(H5Error)
    out.codes.push((err as H5Error).code)
    out.messages.push(String((err as Error).message).split('\n')[0])
  }
  let f: File | null = null
  try {
    f = File.open(file, { swmr: true, locking: false })
    out.opened = true
    for (const o of f.visit()) {
      if (o.objectType !== 'dataset') continue
      try {
        f.dataset(o.path).read()
      } catch (err) {
        note(err)
      }
    }
  } catch (err) {
    note(err)
  } finally {
    f?.close()
  }
  return out
}

test('a truncated SWMR file: metadata past the cut is H5_TRUNCATED at once (1.14+), or the open is (1.10)', async () => {
  const source = path.join(dir, 'grid.h5')
  await simulateScan(source, { frames: 12, scanShape: [3, 4], frameShape: [8, 8], detectors: 2, timestamps: true })
  const bytes = fs.readFileSync(source)
  const outcomes: Outcome[] = []
  // Cuts over the last two thirds of the file, where the chunk indexes and raw data are.
  for (let k = 0; k < 24; k++) {
    const cut = Math.floor(bytes.length * (0.35 + (0.6 * k) / 24))
    const file = path.join(dir, `cut-${cut}.h5`)
    fs.writeFileSync(file, bytes.subarray(0, cut))
    outcomes.push(walk(file, cut))
  }
  for (const o of outcomes) for (const c of o.codes) expect(['H5_TRUNCATED', 'H5_CORRUPT', 'H5_CORRUPT_CHUNK']).toContain(c)
  if (opensTruncated) {
    // Some cuts open, and their datasets whose metadata lies past the cut say so, in plain words.
    const readPastEnd = outcomes.filter((o) => o.opened && o.messages.some((m) => /metadata at offset \d+ \(\d+ bytes\) is past the end of the file \(\d+ bytes\)/.test(m)))
    expect(readPastEnd.length).toBeGreaterThan(0)
    for (const o of readPastEnd) expect(o.codes).toContain('H5_TRUNCATED')
  } else {
    for (const o of outcomes) expect(o).toMatchObject({ opened: false, codes: ['H5_TRUNCATED'] })
  }
}, 120000)
