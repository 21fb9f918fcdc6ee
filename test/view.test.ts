// h5swmr view: the HTTP routes (in-process), and the page in a real browser (Debian's chromium via
// playwright-core) while a writer process writes the scan and `h5swmr view` runs as a user runs it.
import * as fs from 'node:fs'
import * as http from 'node:http'
import * as path from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { File, openForReading } from '../lib'
import { checkFrame, fillFrame, simulateScan } from '../lib/simulate'
import { frameStats } from '../lib/view/image'
import { startView, WEB_DIR, type ViewServer } from '../lib/view/server'
import { spawnProcess, spawnWriter, tmpDir, type Proc } from './helpers/processes'

declare const document: any // page functions run in the browser

const ROOT = path.join(__dirname, '..')
const CLI = path.join(ROOT, 'dist', 'cli', 'index.js')
const OUT = path.join(ROOT, 'test-output')
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const dir = tmpDir('h5swmr-view-')

interface Reply {
  status: number
  headers: http.IncomingHttpHeaders
  body: Buffer
}

/** A raw request: the path is sent exactly as given (fetch would normalise `..`). */
function request(url: string, rawPath: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  const u = new URL(url)
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: rawPath, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }))
    })
    req.on('error', reject)
    req.end()
  })
}

const f32 = (b: Buffer) => new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength))
const f64 = (b: Buffer) => new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength))

describe('HTTP (server in-process, a finished scan)', () => {
  const file = path.join(dir, 'done.h5')
  const frames = 7
  const [rows, cols] = [32, 40]
  let view: ViewServer
  let h5: File

  beforeAll(async () => {
    await simulateScan(file, { frames, frameShape: [rows, cols] })
    h5 = openForReading(file, { swmr: 'auto', locking: false }).file
    view = await startView(h5, { keys: ['/entry/keys/uid'], data: ['/entry/data/data'], finished: '/entry/finished', timeout: 2000 })
    await view.followed
  })
  afterAll(async () => {
    await view?.close()
    h5?.close()
  })

  test('binds 127.0.0.1; serves the page, its style sheet and its script modules', async () => {
    expect(view.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
    expect(view.server.address()).toMatchObject({ address: '127.0.0.1' })
    const page = await request(view.url, '/')
    expect(page.status).toBe(200)
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(page.headers['content-security-policy']).toContain("default-src 'self'")
    expect(page.body.toString()).toContain('<canvas id="image"')
    const js = await request(view.url, '/view.js')
    expect(js.body.equals(fs.readFileSync(path.join(WEB_DIR, 'view.js')))).toBe(true)
    // The page's parts are ES modules: each one it imports is served, as JavaScript.
    const modules = [...js.body.toString().matchAll(/from '\.\/(view-[a-z]+\.js)'/g)].map((m) => m[1])
    expect(modules).toEqual(expect.arrayContaining(['view-image.js', 'view-plot.js', 'view-state.js', 'view-util.js']))
    for (const m of modules) {
      const r = await request(view.url, `/${m}`)
      expect([m, r.status, r.headers['content-type']]).toEqual([m, 200, 'text/javascript; charset=utf-8'])
      expect(r.body.equals(fs.readFileSync(path.join(WEB_DIR, m)))).toBe(true)
    }
    expect((await request(view.url, '/view.css')).status).toBe(200)
    // a query is not a path
    expect((await request(view.url, '/view.js?../../package.json')).body.equals(js.body)).toBe(true)
  })

  test('nothing else: `..` and its encodings, other files, trailing slashes are 404', async () => {
    const bad = [
      '/../package.json', '/../../../../etc/passwd', '/..%2fpackage.json', '/%2e%2e/package.json', '/%2E%2E%2Fpackage.json',
      '/..\\package.json', '//etc/passwd', '/%2fetc%2fpasswd', '/view.js/../index.html', '/frame/latest/../../package.json',
      '/frame/../view.js', '/index.html', '/web/view.js', '/package.json', '/dist/index.js', '/view.js/', '/info/', '/.', '/..',
      '/frame', '/frame/0', `/frame/${encodeURIComponent(file)}`, '/stats/../tree',
    ]
    for (const p of bad) {
      const r = await request(view.url, p)
      expect([p, r.status]).toEqual([p, 404])
      expect(r.body.toString()).toBe('not found\n')
    }
    // data datasets are chosen by position in the list given at start, never by path
    for (const q of ['d=1', 'd=-1', 'd=..%2F..%2Fpackage.json', `d=${encodeURIComponent('/entry/keys/uid')}`, 'd=1e0'])
      expect([q, (await request(view.url, `/frame/latest?${q}`)).status]).toEqual([q, 404])
    expect((await request(view.url, '/', { method: 'POST' })).status).toBe(405)
    expect((await request(view.url, '/tree', { method: 'DELETE' })).status).toBe(405)
    // a page that rebinds its own DNS name to 127.0.0.1 does not get the data
    expect((await request(view.url, '/info', { headers: { Host: 'evil.example:80' } })).status).toBe(403)
    expect((await request(view.url, '/info', { headers: { Host: `localhost:${new URL(view.url).port}` } })).status).toBe(200)
  })

  test('/info and /tree describe the one file', async () => {
    const info = JSON.parse((await request(view.url, '/info')).body.toString())
    expect(info).toMatchObject({ file: 'done.h5', keys: ['/entry/keys/uid'], finished: '/entry/finished', scanRank: 1, maxshape: [null], expected: null })
    expect(info.data).toEqual([{ path: '/entry/data/data', dtype: 'uint16', frameShape: [rows, cols] }])
    // The scan's own strings (the simulator writes a NeXus title and start time; '×' is 2 bytes of UTF-8).
    expect(info.metadata.map((m: { name: string }) => m.name)).toEqual(['start_time', 'title'])
    expect(info.metadata[1].value).toMatch(/^simulated line scan of \d+ \d+×\d+ frames$/)
    expect(new Date(info.metadata[0].value).getTime()).toBeGreaterThan(Date.now() - 600_000)
    const tree = JSON.parse((await request(view.url, '/tree')).body.toString())
    const entry = tree.children.find((c: { name: string }) => c.name === 'entry')
    expect(entry.children.map((c: { name: string }) => c.name).sort()).toEqual(['data', 'finished', 'keys', 'start_time', 'title'])
  })

  test('/frame/latest: the newest frame as raw float32, reduced to the requested size', async () => {
    const expected = new Uint16Array(rows * cols)
    fillFrame(expected, frames - 1)
    const full = await request(view.url, `/frame/latest?ow=${cols}&oh=${rows}`)
    expect(full.status).toBe(200)
    expect(full.headers['content-type']).toBe('application/octet-stream')
    expect(full.body.length).toBe(rows * cols * 4)
    const meta = JSON.parse(full.headers['x-frame'] as string)
    expect(meta).toMatchObject({ index: frames - 1, position: [frames - 1], frameShape: [rows, cols], width: cols, height: rows, binX: 1, binY: 1, region: { x: 0, y: 0, w: cols, h: rows } })
    expect(Array.from(f32(full.body))).toEqual(Array.from(expected))
    expect(checkFrame(Uint16Array.from(f32(full.body)), frames - 1)).toBe(true)

    // 40×32 into at most 10×8: 4×4 blocks, mean or max
    const small = await request(view.url, '/frame/latest?ow=10&oh=8')
    const m = JSON.parse(small.headers['x-frame'] as string)
    expect(m).toMatchObject({ width: 10, height: 8, binX: 4, binY: 4, bin: 'mean' })
    expect(small.body.length).toBe(10 * 8 * 4)
    const block = (x0: number, y0: number) => Array.from({ length: 16 }, (_, k) => expected[(y0 + (k >> 2)) * cols + x0 + (k & 3)])
    const b = block(4, 8) // output pixel (1, 2)
    expect(f32(small.body)[2 * 10 + 1]).toBeCloseTo(b.reduce((s, v) => s + v, 0) / 16, 3)
    const max = await request(view.url, '/frame/latest?ow=10&oh=8&bin=max')
    expect(f32(max.body)[2 * 10 + 1]).toBe(Math.max(...b))

    // a region (zoomed in) at full resolution; regions are clipped to the frame
    const zoom = await request(view.url, '/frame/latest?x=8&y=4&w=5&h=3&ow=500&oh=300')
    const z = JSON.parse(zoom.headers['x-frame'] as string)
    expect(z).toMatchObject({ width: 5, height: 3, binX: 1, region: { x: 8, y: 4, w: 5, h: 3 } })
    expect(Array.from(f32(zoom.body))).toEqual([4, 5, 6].flatMap((y) => Array.from(expected.subarray(y * cols + 8, y * cols + 13))))
    const clipped = JSON.parse((await request(view.url, '/frame/latest?x=30&y=-5&w=1000&h=1000')).headers['x-frame'] as string)
    expect(clipped.region).toEqual({ x: 30, y: 0, w: 10, h: 32 })
  })

  test('/stats: sum, min, max of every frame, as raw float64', async () => {
    const r = await request(view.url, '/stats?d=0&from=0')
    expect(JSON.parse(r.headers['x-stats'] as string)).toEqual({ from: 0, to: frames, fields: ['sum', 'min', 'max'], pixels: rows * cols })
    const s = f64(r.body)
    expect(s.length).toBe(frames * 3)
    const frame = new Uint16Array(rows * cols)
    for (let i = 0; i < frames; i++) {
      fillFrame(frame, i)
      const e = frameStats(frame)
      expect([s[i * 3], s[i * 3 + 1], s[i * 3 + 2]]).toEqual([e.sum, e.min, e.max])
    }
    const tail = await request(view.url, '/stats?from=5')
    expect(f64(tail.body).length).toBe(2 * 3)
  })

  test('the command: a port in use is one error line; SIGTERM stops it cleanly (exit 0)', async () => {
    const busy = spawnProcess(process.execPath, [CLI, 'view', file, '--port', new URL(view.url).port])
    expect(await busy.exited).toBe(1)
    expect(busy.stderr).toMatch(/^h5swmr view: cannot listen on 127\.0\.0\.1:\d+: .* \(EADDRINUSE\)\n$/)
    const v = spawnProcess(process.execPath, [CLI, 'view', file])
    await v.waitFor(/^view: finished, 7 frames; still serving http:\/\/127\.0\.0\.1:\d+\/ \(Ctrl-C to stop\)$/)
    v.child.kill('SIGTERM')
    expect(await v.exited).toBe(0)
    expect(v.lines[v.lines.length - 1]).toBe('view: stopped after 7 frames')
  })

  test('/events: server-sent state, finished', async () => {
    const first = await new Promise<string>((resolve, reject) => {
      const req = http.get(new URL('/events', view.url), (res) => {
        expect(res.headers['content-type']).toBe('text/event-stream')
        let text = ''
        res.on('data', (d: Buffer) => {
          text += d.toString()
          const m = /event: state\ndata: (.*)\n\n/.exec(text)
          if (m) {
            req.destroy()
            resolve(m[1])
          }
        })
      })
      req.on('error', reject)
    })
    expect(JSON.parse(first)).toMatchObject({ status: 'finished', frames, maxIndex: frames - 1, latest: { index: frames - 1 }, grid: null })
  })
})

describe('in the browser, following a live scan', () => {
  let browser: Browser

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`no chromium at ${CHROMIUM}: run 'bash scripts/setup.sh' (Debian package 'chromium') or set CHROMIUM_PATH`)
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    })
    fs.mkdirSync(OUT, { recursive: true })
  })
  afterAll(async () => {
    await browser?.close()
  })

  async function startViewCli(file: string, args: string[] = []): Promise<{ proc: Proc; url: string }> {
    const proc = spawnProcess(process.execPath, [CLI, 'view', path.basename(file), ...args], {}, { cwd: path.dirname(file) })
    const line = await proc.waitFor(/^view: http:/, 20000)
    return { proc, url: /http:\S+/.exec(line)![0] }
  }

  async function openPage(url: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } })
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(String(e)))
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text()) // (warnings: the test's own getImageData reads draw one)
    })
    ;(page as Page & { errors: string[] }).errors = errors
    await page.goto(url)
    return page
  }

  /** 48×48 samples of the image canvas (RGB), and the index of the frame it shows. */
  const sample = (page: Page): Promise<{ index: number; px: number[] }> =>
    page.evaluate(() => {
      const c = document.getElementById('image')
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data
      const px: number[] = []
      for (let j = 0; j < 48; j++)
        for (let i = 0; i < 48; i++) {
          const k = (Math.floor(((j + 0.5) * c.height) / 48) * c.width + Math.floor(((i + 0.5) * c.width) / 48)) * 4
          px.push(d[k], d[k + 1], d[k + 2])
        }
      return { index: Number(c.dataset.frameIndex), px }
    })
  const BACKGROUND = [12, 13, 16]
  const painted = (px: number[]) => px.filter((_, k) => k % 3 === 0).filter((_, k) => px.slice(k * 3, k * 3 + 3).some((v, c) => v !== BACKGROUND[c])).length / (px.length / 3)
  const changed = (a: number[], b: number[]) => {
    let n = 0
    for (let k = 0; k < a.length; k += 3) if (a[k] !== b[k] || a[k + 1] !== b[k + 1] || a[k + 2] !== b[k + 2]) n++
    return n / (a.length / 3)
  }
  const framesShown = async (page: Page) => Number((await page.textContent('#frames'))!.split(' ')[0])
  const waitFrameIndex = (page: Page, atLeast: number) =>
    page.waitForFunction((n: number) => Number(document.getElementById('image').dataset.frameIndex) >= n, atLeast, { timeout: 15000 })

  test('1-D scan (simulator): first frame, progress, the image changing, every frame counted, finished; Ctrl-C exits cleanly', async () => {
    const file = path.join(dir, 'line.h5')
    const total = 60
    // Lock-step first (each 'go' writes one frame), then free-running at ~40 Hz.
    const w = spawnWriter(file, { frames: total, frameShape: [48, 64], presize: true, stepped: true })
    await w.waitFor('ready')
    const { proc, url } = await startViewCli(file, ['--timeout', '5', '--poll', '10'])
    const page = await openPage(url)
    await page.waitForSelector('#status[data-status=waiting]')
    expect(await page.textContent('#frames')).toBe(`0 / ${total}`)
    // The scan's strings, shown as the file says them.
    expect(await page.isVisible('#metadata')).toBe(true)
    expect(await page.textContent('#metadata')).toMatch(/titlesimulated line scan of \d+ /)

    w.send('go')
    await waitFrameIndex(page, 0)
    const first = await sample(page)
    expect(first.index).toBe(0)
    expect(painted(first.px)).toBeGreaterThan(0.5) // the frame fills the canvas's width (4:3 in a taller box)
    expect(await page.textContent('#frame-info')).toMatch(/^frame #0 · 48×64 uint16 · /)
    await page.waitForSelector('#status[data-status=live]')
    expect(await page.textContent('#frames')).toBe(`1 / ${total}`)

    for (let i = 1; i <= 10; i++) w.send('go')
    await waitFrameIndex(page, 10)
    const later = await sample(page)
    expect(later.index).toBe(10)
    expect(changed(first.px, later.px)).toBeGreaterThan(0.3)
    await page.waitForFunction((t: string) => document.getElementById('frames').textContent === t, `11 / ${total}`)

    const pace = setInterval(() => w.send('go'), 25)
    try {
      await page.waitForFunction(() => Number(document.getElementById('frames').textContent.split(' ')[0]) >= 25, null, { timeout: 15000 })
      const n1 = await framesShown(page)
      await page.waitForTimeout(300)
      const n2 = await framesShown(page)
      expect(n2).toBeGreaterThan(n1)
      expect(await page.textContent('#rate')).toMatch(/^[1-9][\d.]* frames\/s/)
      await page.waitForSelector('#status[data-status=finished]', { timeout: 15000 })
    } finally {
      clearInterval(pace)
    }
    expect(await page.textContent('#status')).toBe('finished')
    expect(await page.textContent('#frames')).toBe(`${total} / ${total}`)
    await waitFrameIndex(page, total - 1)
    // every frame is in the statistics (the page may have skipped frames; the follower did not)
    const stats = f64((await request(url, '/stats')).body)
    expect(stats.length).toBe(total * 3)
    const frame = new Uint16Array(48 * 64)
    for (let i = 0; i < total; i++) {
      fillFrame(frame, i)
      expect(stats[i * 3]).toBe(frameStats(frame).sum)
    }
    expect(await page.evaluate(() => document.getElementById('gridmap').hidden)).toBe(true) // 1-D: no grid map
    await page.screenshot({ path: path.join(OUT, 'view-line.png') })
    expect((page as Page & { errors: string[] }).errors).toEqual([])
    await page.close()

    expect(await w.exited).toBe(0)
    proc.child.kill('SIGINT')
    expect(await proc.exited).toBe(0)
    expect(proc.lines).toContain(`view: finished, ${total} frames of ${total}; still serving ${url} (Ctrl-C to stop)`)
    expect(proc.lines[proc.lines.length - 1]).toBe(`view: stopped after ${total} frames`)
    expect(proc.stderr).toBe('')
  })

  test('grid scan (detector-like frames): done map, statistic over the grid, log scale, zoom, pixel value; screenshot', async () => {
    const file = path.join(dir, 'scan.h5')
    const [rows, cols, size] = [8, 12, 256]
    const w = spawnProcess(process.execPath, [path.join(ROOT, 'test', 'fixtures', 'detector-writer.js'), file, JSON.stringify({ rows, cols, size, rateHz: 25 })])
    await w.waitFor('ready')
    const { proc, url } = await startViewCli(file)
    const page = await openPage(url)
    await page.selectOption('#scale', 'log')
    await page.selectOption('#cmap', 'inferno')
    await waitFrameIndex(page, 0)
    const a = await sample(page)
    await waitFrameIndex(page, a.index + 5)
    const b = await sample(page)
    expect(changed(a.px, b.px)).toBeGreaterThan(0.01) // Bragg spots move from frame to frame
    expect(await page.evaluate(() => document.getElementById('gridmap').hidden)).toBe(false)

    // the pixel under the cursor, then a screenshot while the scan is live
    const box = (await page.locator('#image').boundingBox())!
    await page.mouse.move(box.x + box.width * 0.63, box.y + box.height * 0.42)
    await page.waitForFunction(() => /^x \d+, y \d+: \d+/.test(document.getElementById('cursor').textContent))
    await page.waitForFunction(() => Number(document.getElementById('frames').textContent.split(' ')[0]) >= 50, null, { timeout: 15000 })
    await page.screenshot({ path: path.join(OUT, 'view.png') })
    // The README's picture (a JPEG: the detector noise makes a PNG ~330 kB): H5SWMR_UPDATE_DOCS=1 npx jest test/view.test.ts
    if (process.env.H5SWMR_UPDATE_DOCS) await page.screenshot({ path: path.join(ROOT, 'docs', 'view.jpg'), type: 'jpeg', quality: 85 })

    // zoom in with the wheel: the page asks for a smaller region of the frame
    await page.mouse.wheel(0, -600)
    await page.waitForFunction(() => Number(document.getElementById('image').dataset.region.split(',')[2]) < 200)
    await page.dblclick('#image')
    await page.waitForFunction((n: number) => document.getElementById('image').dataset.region === `0,0,${n},${n}`, size)

    await page.waitForSelector('#status[data-status=finished]', { timeout: 20000 })
    expect(await page.textContent('#frames')).toBe(`${rows * cols} / ${rows * cols}`)
    await page.screenshot({ path: path.join(OUT, 'view-finished.png') })
    expect((page as Page & { errors: string[] }).errors).toEqual([])
    await page.close()
    expect(await w.exited).toBe(0)

    // the statistics match the file, frame by frame
    const stats = f64((await request(url, '/stats')).body)
    const h5 = File.open(file, { swmr: false, locking: false })
    const data = h5.dataset('/entry/data/data')
    for (let i = 0; i < rows * cols; i++) {
      const frame = data.read({ start: [Math.floor(i / cols), i % cols, 0, 0], count: [1, 1, size, size] })
      expect([i, stats[i * 3]]).toEqual([i, frameStats(frame).sum])
    }
    h5.close()

    proc.child.kill('SIGTERM')
    expect(await proc.exited).toBe(0)
    expect(proc.lines[proc.lines.length - 1]).toBe(`view: stopped after ${rows * cols} frames`)
  })
})
