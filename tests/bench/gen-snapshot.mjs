#!/usr/bin/env node
// Generates a big, realistic V8 heap snapshot for the heaplens-vs-DevTools benchmark.
//
//   node tests/bench/gen-snapshot.mjs [--size 500M|1.9G] [--force]
//   node tests/bench/gen-snapshot.mjs --scale N --out FILE     (calibration: any scale, any path)
//
// The snapshot is taken by real Node (`v8.writeHeapSnapshot`) in a child process that first
// builds a heap shaped like a busy server's: tenants, users, sessions, orders, products with
// cross references, Maps/Sets/WeakMaps with many entries, closures (listeners, a middleware
// chain), many distinct strings (short and long, flat, cons and sliced, one- and two-byte),
// heap numbers, nested plain objects of a few shapes, typed arrays and Buffers (on- and
// off-heap, pooled and not), an LRU cache (Map + doubly linked list), a long singly linked job
// queue and a deep tree. Everything is driven by a seeded PRNG, so the shape of the heap (and
// so the node/edge counts, up to Node's own internals) is the same on every run.
//
// Output: ${HEAPLENS_BENCH_CACHE:-$HOME/.cache/heaplens-bench}/bench-<size>.heapsnapshot,
// generated only if missing (written to a temporary name and renamed, so an interrupted run
// never leaves a truncated snapshot behind).

import { spawnSync } from 'node:child_process'
import { EventEmitter } from 'node:events'
import v8 from 'node:v8'
import { existsSync, mkdirSync, openSync, readSync, closeSync, renameSync, rmSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

// One "scale" unit is one user (with its sessions, orders, log events, cache entries...); the
// shared pools (products, tenants, the tree, the job queue, the middleware chain, the modules)
// grow with it. Each unit costs ~96 snapshot nodes, ~340 edges and ~8.5 KB of snapshot (~88
// bytes per node) on Node 20.20 / V8 11.3; Node's own heap adds ~8 MB. Measured:
//   scale  59_300 -> 501.9 MB,  5.75 M nodes, 20.3 M edges (child: 40 s, 2.4 GB peak RSS)
//   scale 222_000 -> 1.895 GB, 21.3 M nodes, 75.1 M edges (child: 3 min, 9.0 GB peak RSS)
// Re-runs agree to within ~0.5% (V8's own internals vary a little; the user-level objects don't).
const SIZES = {
  // target name: { scale, heapMB (the child's --max-old-space-size) }
  '500M': { scale: 59_300, heapMB: 6_000 },
  '1.9G': { scale: 222_000, heapMB: 14_000 },
}

const SELF = fileURLToPath(import.meta.url)

function parseArgs (argv) {
  const opts = { size: '500M', force: false, child: false, scale: null, out: null }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const val = () => {
      if (i + 1 >= argv.length) fail(`${a} needs a value`)
      return argv[++i]
    }
    if (a === '--size') opts.size = val()
    else if (a.startsWith('--size=')) opts.size = a.slice(7)
    else if (a === '--scale') opts.scale = Number(val())
    else if (a === '--out') opts.out = val()
    else if (a === '--heap-mb') opts.heapMB = Number(val())
    else if (a === '--force') opts.force = true
    else if (a === '--child') opts.child = true
    else if (a === '-h' || a === '--help') {
      console.log('usage: gen-snapshot.mjs [--size 500M|1.9G] [--force] [--scale N --out FILE [--heap-mb MB]]')
      process.exit(0)
    } else fail(`unknown argument: ${a}`)
  }
  return opts
}

function fail (msg) {
  console.error(`gen-snapshot: ${msg}`)
  process.exit(2)
}

function fmtBytes (n) {
  if (n >= 1e9) return (n / 1e9).toFixed(2) + ' GB'
  return (n / 1e6).toFixed(1) + ' MB'
}

/** Reads node_count / edge_count from the snapshot header (the first few hundred bytes). */
export function readHeader (file) {
  const fd = openSync(file, 'r')
  try {
    const buf = Buffer.alloc(8192)
    const n = readSync(fd, buf, 0, buf.length, 0)
    const head = buf.toString('utf8', 0, n)
    const num = (k) => {
      const m = head.match(new RegExp(`"${k}":(\\d+)`))
      return m ? Number(m[1]) : null
    }
    return { nodes: num('node_count'), edges: num('edge_count') }
  } finally {
    closeSync(fd)
  }
}

function describe (file, extra = '') {
  const size = statSync(file).size
  const { nodes, edges } = readHeader(file)
  console.log(`gen-snapshot: ${file}`)
  console.log(`gen-snapshot:   ${size} bytes (${fmtBytes(size)}), ${nodes} nodes, ${edges} edges, ` +
    `${(size / nodes).toFixed(1)} bytes/node${extra}`)
}

function parent (opts) {
  let scale, heapMB, out
  if (opts.scale != null) {
    if (!Number.isInteger(opts.scale) || opts.scale < 1) fail('--scale must be a positive integer')
    if (!opts.out) fail('--scale needs --out FILE')
    scale = opts.scale
    heapMB = opts.heapMB || Math.max(2000, Math.ceil(scale / 17))
    out = resolve(opts.out)
  } else {
    const target = SIZES[opts.size]
    if (!target) fail(`unknown --size ${opts.size} (known: ${Object.keys(SIZES).join(', ')})`)
    ;({ scale, heapMB } = target)
    const cache = process.env.HEAPLENS_BENCH_CACHE || join(homedir(), '.cache', 'heaplens-bench')
    out = opts.out ? resolve(opts.out) : join(cache, `bench-${opts.size}.heapsnapshot`)
  }
  if (existsSync(out) && !opts.force) {
    describe(out, ' (cached)')
    return
  }
  mkdirSync(dirname(out), { recursive: true })
  const tmp = `${out}.tmp-${process.pid}`
  console.log(`gen-snapshot: generating ${out} (scale ${scale}, child heap ${heapMB} MB)...`)
  const t0 = Date.now()
  const r = spawnSync(process.execPath,
    [`--max-old-space-size=${heapMB}`, SELF, '--child', '--scale', String(scale), '--out', tmp],
    { stdio: 'inherit' })
  if (r.status !== 0 || !existsSync(tmp)) {
    rmSync(tmp, { force: true })
    fail(`generator child failed (${r.signal ? 'signal ' + r.signal : 'exit ' + r.status})`)
  }
  renameSync(tmp, out)
  describe(out, `, generated in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
}

// ---------------------------------------------------------------------------------------------
// The child: builds the heap, then writes the snapshot.

function mulberry32 (seed) {
  let a = seed >>> 0
  return function () {
    a = (a + 0x6D2B79F5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function child (opts) {
  const scale = opts.scale
  const rnd = mulberry32(0x5EED1E5)
  const int = (n) => Math.floor(rnd() * n)
  const pick = (arr) => arr[int(arr.length)]
  const chance = (p) => rnd() < p

  const SYL = ['ka', 'lo', 'mi', 'ra', 'ten', 'sa', 'vo', 'lin', 'dor', 'el', 'an', 'is', 'ber', 'to', 'ne', 'qu', 'zi', 'mar']
  const FIRST = ['Anna', 'Zoë', 'José', 'Łukasz', 'Müller', 'Ngozi', 'Søren', 'Chloé', 'Ahmed', 'Yuki', '田中', '李',
    'Олег', 'Ñandú', 'Priya', 'Björk', 'Mateo', 'Émile', 'Kwame', 'Ines']
  const CITIES = ['Paris', 'Berlin', 'Zürich', 'São Paulo', 'Kraków', 'Tokyo', 'Lagos', 'Austin', 'Montréal', 'Oslo',
    '東京', 'Reykjavík', 'Mumbai', 'Lima', 'Seoul', 'Nairobi']
  const STATUSES = ['new', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded']
  const LEVELS = ['debug', 'info', 'info', 'info', 'warn', 'error']
  const TAGS = Array.from({ length: 400 }, (_, i) => `tag-${i}-${SYL[i % SYL.length]}`)
  const WORDS = ['lorem', 'ipsum', 'dolor', 'sit', 'amet', 'consectetur', 'adipiscing', 'elit', 'sed', 'do',
    'eiusmod', 'tempor', 'incididunt', 'ut', 'labore', 'et', 'dolore', 'magna', 'aliqua', 'über', 'café',
    'naïve', 'façade', 'смысл', '数据', 'größe', 'déjà', 'vu', '🚀', 'ok']

  const word = () => {
    const n = 1 + int(3)
    const parts = []
    for (let i = 0; i < n; i++) parts.push(SYL[int(SYL.length)])
    return parts.join('')
  }
  const hex = (n) => {
    const parts = []
    for (let i = 0; i < n; i++) parts.push('0123456789abcdef'[int(16)])
    return parts.join('') // flat sequential string
  }
  const sentence = (nWords) => {
    const parts = []
    for (let i = 0; i < nWords; i++) parts.push(WORDS[int(WORDS.length)])
    return parts.join(' ')
  }
  // A double that is not a Smi, so stored in a field it becomes a HeapNumber.
  const money = () => Math.round(rnd() * 100000) / 100 + 0.01
  let clock = 1_700_000_000_000.5
  const now = () => (clock += rnd() * 1000)

  // --- classes -----------------------------------------------------------------------------
  class Tenant {
    constructor (id) {
      this.id = id
      this.name = `Tenant ${word()} ${id}`
      this.users = new Map()
      this.settings = {
        plan: pick(['free', 'pro', 'enterprise']),
        limits: { users: 100 + int(10000), storageGB: 10 + int(1000), rateLimit: 50.5 + int(100) },
        features: { sso: chance(0.5), audit: chance(0.5), beta: chance(0.1) },
        region: pick(['eu-west-1', 'us-east-1', 'ap-northeast-1']),
      }
      this.createdAt = now()
    }
  }
  class Product {
    constructor (i) {
      this.sku = `SKU-${hex(10)}`
      this.title = `${word()} ${word()} ${pick(WORDS)}`
      const descLen = chance(0.8) ? 20 + int(60) : 200 + int(400)
      this.description = sentence(descLen) // long, often two-byte strings
      this.excerpt = this.description.slice(3, 60) // sliced string
      this.price = money()
      this.stock = int(5000)
      this.categories = [pick(TAGS), pick(TAGS)]
      // off-heap (>64 bytes) and on-heap (<=64 bytes) typed arrays
      this.embedding = chance(0.5) ? new Float32Array(32 + int(32)) : new Float32Array(8)
      for (let k = 0; k < this.embedding.length; k++) this.embedding[k] = rnd()
      // a thumbnail: a non-pooled Buffer with its own ArrayBuffer
      this.thumbnail = chance(0.5) ? Buffer.alloc(256 + int(2048), i & 255) : null
      this.dimensions = { w: 1 + int(100), h: 1 + int(100), weightKg: rnd() * 20 + 0.1 }
    }
  }
  class Address {
    constructor () {
      this.street = `${1 + int(999)} ${word()} ${pick(['Street', 'Avenue', 'Straße', 'Rue', 'Calle'])}`
      this.city = pick(CITIES)
      this.zip = String(10000 + int(89999))
      this.geo = { lat: rnd() * 180 - 90, lng: rnd() * 360 - 180 }
    }
  }
  class User {
    constructor (id, tenant) {
      this.id = id
      this.tenant = tenant
      const first = pick(FIRST)
      this.name = `${first} ${word()}${chance(0.2) ? ' ' + pick(FIRST) : ''}`
      this.email = [first.toLowerCase(), '.', word(), String(id), '@', pick(['example.com', 'mail.test', 'corp.example'])].join('')
      this.createdAt = now()
      this.score = rnd() * 1000
      this.address = new Address()
      this.prefs = { theme: pick(['dark', 'light']), lang: pick(['en', 'fr', 'de', 'ja', 'pt']), notifications: { email: chance(0.5), sms: chance(0.2), push: chance(0.7) } }
      this.tags = new Set()
      const nt = int(6)
      for (let k = 0; k < nt; k++) this.tags.add(pick(TAGS))
      this.sessions = []
      this.orders = []
      this.friends = []
      this.manager = null
      this.avatar = null
      this.role = pick(['admin', 'member', 'member', 'member', 'viewer'])
      this.active = chance(0.9)
      this.loginCount = int(5000)
      this.lastLoginAt = chance(0.7) ? now() : null
      this.phone = chance(0.5) ? `+${1 + int(98)} ${100 + int(899)} ${1000000 + int(8999999)}` : null
      this.bio = chance(0.1) ? sentence(20 + int(200)) : ''
    }
  }
  class Session {
    constructor (user) {
      this.token = hex(32)
      this.user = user
      this.startedAt = now()
      this.data = new Map([['csrf', hex(16)], ['ip', `10.${int(256)}.${int(256)}.${int(256)}`], ['ua', pick(UAS)], ['hits', int(1000)]])
      const session = this
      this.onExpire = function onExpire () { return session.user.id + session.startedAt } // closure
      this.lastRequest = null
    }
  }
  class Request {
    constructor (session) {
      this.id = `req-${hex(12)}`
      this.method = pick(['GET', 'POST', 'PUT', 'DELETE'])
      this.url = `/api/v1/${pick(['users', 'orders', 'products', 'search'])}/${int(100000)}?q=${word()}`
      this.headers = { 'content-type': 'application/json', 'x-request-id': this.id, 'accept-language': pick(['en-US', 'fr-FR', 'ja-JP']) }
      this.session = session
      this.startedAt = now()
      this.durationMs = rnd() * 500
      this.body = chance(0.3) ? Buffer.from(JSON.stringify({ q: word(), n: int(100) })) : null // pooled Buffer slice
    }
  }
  class OrderItem {
    constructor (product) {
      this.product = product
      this.qty = 1 + int(5)
      this.priceCents = Math.round(product.price * 100)
      this.discountPct = chance(0.2) ? int(30) : 0
      this.giftWrap = chance(0.05)
    }
  }
  class Order {
    constructor (user, products) {
      this.id = ['ORD-', String(user.id), '-', hex(6)].join('')
      this.user = user
      this.items = []
      const ni = 1 + int(4)
      let total = 0
      for (let k = 0; k < ni; k++) {
        const it = new OrderItem(pick(products))
        total += it.priceCents * it.qty
        this.items.push(it)
      }
      this.totalCents = total
      this.currency = pick(['EUR', 'USD', 'JPY', 'BRL'])
      this.tax = total * 0.2 + 0.5 // heap number
      this.status = pick(STATUSES)
      this.shippingAddress = user.address
      this.payment = { method: pick(['card', 'paypal', 'invoice']), last4: String(1000 + int(8999)), captured: chance(0.8) }
      this.createdAt = now()
      this.meta = { source: pick(['web', 'ios', 'android', 'api']), coupon: chance(0.1) ? `SAVE${int(50)}` : null, notes: chance(0.1) ? sentence(5 + int(20)) : '' }
    }
  }
  class LogEvent {
    constructor (user, prev) {
      this.level = pick(LEVELS)
      this.ts = now()
      this.msg = `[${this.level}] user ${user.id} ${pick(['logged in', 'updated profile', 'placed order', 'failed payment', 'viewed product'])} from ${user.address.city} in ${Math.floor(rnd() * 900)}ms`
      this.ctx = { userId: user.id, tenantId: user.tenant.id, reqId: hex(8) }
      this.prev = prev
    }
  }
  class CacheEntry {
    constructor (key, value) {
      this.key = key
      this.value = value
      this.expires = now() + 60000
      this.prev = null
      this.next = null
      this.hits = 0
    }
  }
  class LRUCache {
    constructor () {
      this.map = new Map()
      this.head = null
      this.tail = null
    }

    set (key, value) {
      const e = new CacheEntry(key, value)
      this.map.set(key, e)
      if (this.tail) { this.tail.next = e; e.prev = this.tail } else this.head = e
      this.tail = e
    }
  }
  class Job {
    constructor (i, next) {
      this.id = i
      this.kind = pick(['email', 'resize', 'report', 'webhook'])
      this.payload = { attempt: int(3), target: `job-target-${hex(8)}` }
      this.next = next
    }
  }
  class TreeNode {
    constructor (name, parent) {
      this.name = name
      this.parent = parent
      this.children = []
      this.attrs = { id: hex(6), weight: rnd() + 1 }
    }
  }
  const UAS = Array.from({ length: 50 }, (_, i) => `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${100 + i}.0.0.0 Safari/537.36`)

  // --- building ----------------------------------------------------------------------------
  const t0 = Date.now()
  const nTenants = Math.max(4, Math.floor(scale / 2000))
  const tenants = Array.from({ length: nTenants }, (_, i) => new Tenant(i))
  const products = Array.from({ length: Math.max(100, Math.floor(scale / 8)) }, (_, i) => new Product(i))
  const productBySku = new Map(products.map((p) => [p.sku, p]))
  const allUsers = []
  const sessionsByToken = new Map()
  const userMeta = new WeakMap()
  const onlineUserIds = new Set()
  const cache = new LRUCache()
  const logRing = new Array(Math.max(1000, Math.floor(scale / 2)))
  let logPos = 0
  let lastEvent = null
  const bus = new EventEmitter()
  bus.setMaxListeners(0)
  const metrics = { latency: new Float64Array(1000), counts: new Uint32Array(64), samples: [] }

  for (let id = 1; id <= scale; id++) {
    const tenant = tenants[int(nTenants)]
    const u = new User(id, tenant)
    tenant.users.set(id, u)
    allUsers.push(u)
    if (chance(0.1)) u.avatar = Buffer.from(hex(64 + int(64))) // small pooled buffer
    if (chance(0.3)) userMeta.set(u, { lastSeen: now(), flags: int(16) })
    if (chance(0.4)) onlineUserIds.add(id)
    if (allUsers.length > 10) {
      u.manager = allUsers[int(allUsers.length - 1)]
      const nf = int(5)
      for (let k = 0; k < nf; k++) u.friends.push(allUsers[int(allUsers.length - 1)])
    }
    const ns = int(4)
    for (let k = 0; k < ns; k++) {
      const s = new Session(u)
      if (chance(0.5)) s.lastRequest = new Request(s)
      u.sessions.push(s)
      sessionsByToken.set(s.token, s)
    }
    const no = int(6)
    for (let k = 0; k < no; k++) u.orders.push(new Order(u, products))
    for (let k = 0; k < 2; k++) {
      lastEvent = new LogEvent(u, chance(0.3) ? lastEvent : null)
      logRing[logPos++ % logRing.length] = lastEvent
    }
    if (chance(0.5)) {
      const key = `user:${id}:${pick(['profile', 'orders', 'recs', 'feed'])}`
      const kind = int(3)
      const value = kind === 0 ? JSON.stringify({ id, name: u.name, n: int(1000) })
        : kind === 1 ? { id, items: u.orders.map((o) => o.id), computedAt: now() }
          : [u.score, u.createdAt, rnd(), { nested: [id, word()] }]
      cache.set(key, value)
    }
    if (chance(0.05)) {
      const uid = id
      bus.on(`user:${uid % 997}`, (evt) => { metrics.samples.push(uid + evt) }) // listeners: closures
    }
    if (id % 100 === 0) metrics.samples.push(rnd() * 1000) // a growing double array
  }

  // A long singly linked job queue: a deep chain that only the head retains.
  let queueHead = null
  for (let i = Math.max(1000, Math.floor(scale / 4)); i > 0; i--) queueHead = new Job(i, queueHead)

  // A middleware chain: each closure captures the previous one (a chain of contexts).
  let handler = (req) => req
  for (let i = 0; i < Math.max(500, Math.floor(scale / 50)); i++) {
    const prev = handler
    const name = `mw-${i}-${word()}`
    handler = function middleware (req) { return prev(req) + name.length }
  }

  // A tree (like a config/DOM tree): branching 3-5, a few levels deep, with parent pointers.
  const treeBudget = Math.max(1000, Math.floor(scale / 2))
  const root = new TreeNode('root', null)
  const queue = [root]
  let made = 1
  while (made < treeBudget && queue.length) {
    const n = queue.shift()
    const nc = 3 + int(3)
    for (let k = 0; k < nc && made < treeBudget; k++, made++) {
      const c = new TreeNode(`${n.name.length > 40 ? 'n' : n.name}/${word()}`, n)
      n.children.push(c)
      queue.push(c)
    }
  }

  // Loaded "modules": generated scripts with distinct sources, each defining a few functions that
  // get called once (so they have bytecode, feedback, scopes), like a server's node_modules.
  const modules = []
  for (let m = 0; m < Math.max(20, Math.floor(scale / 200)); m++) {
    const fns = []
    for (let f = 0; f < 10; f++) {
      const v = word()
      fns.push(`function ${v}_${m}_${f} (a, b) {\n  // ${sentence(5 + int(20))}\n` +
        `  const ${v}Key = '${hex(8)}' + a\n  if (b > ${int(1000)}) return { ${v}Key, n: b * ${1 + int(9)}, s: '${word()}' }\n` +
        `  return [${v}Key, b + ${int(100)}, '${sentence(3)}'].join(':')\n}`)
    }
    const src = `${fns.join('\n')}\nreturn { ${fns.map((_, f) => `f${f}: ${fns[f].slice(9, fns[f].indexOf(' ('))}`).join(', ')} }`
    const exports = new Function(src)() // eslint-disable-line no-new-func
    for (const fn of Object.values(exports)) fn('x', int(2000))
    modules.push({ id: `module-${m}`, exports })
  }

  globalThis.app = {
    modules,
    tenants, products, productBySku, allUsers, sessionsByToken, userMeta, onlineUserIds, cache,
    logRing, bus, metrics, queueHead, handler, tree: root,
  }
  const t1 = Date.now()
  const mu = process.memoryUsage()
  console.error(`gen-snapshot(child): built ${scale} users in ${((t1 - t0) / 1000).toFixed(1)} s; ` +
    `heapUsed ${(mu.heapUsed / 1e6).toFixed(0)} MB, external ${(mu.external / 1e6).toFixed(0)} MB, rss ${(mu.rss / 1e6).toFixed(0)} MB`)
  v8.writeHeapSnapshot(opts.out)
  console.error(`gen-snapshot(child): wrote snapshot in ${((Date.now() - t1) / 1000).toFixed(1)} s`)
}

const opts = parseArgs(process.argv.slice(2))
if (opts.child) {
  child(opts)
} else {
  parent(opts)
}
