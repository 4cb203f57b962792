// kafkajs (npm) against a running LKSTREAM listener. NODE_PATH must hold kafkajs
// (scripts/node-kafka-clients.sh).
//
//   node client.js scenario BOOTSTRAP
//   node client.js produce BOOTSTRAP TOPIC SPEC_FILE
//   node client.js dump BOOTSTRAP OUT_DIR COUNT TOPIC...
//
// "scenario" is the group scenario (see KafkaClientCheck.java for the steps): Admin
// createTopics, an idempotent producer (acks=-1) of keyed records with headers and timestamps,
// every key on its murmur2 partition, a group of two consumers, commits, one consumer leaving
// and its partitions moving, and a new consumer resuming at the committed offsets.
// "produce"/"dump" are the cross-client matrix steps (clients/record_lines.py has the format).
// kafkajs has no assign(): "dump" uses a fresh group per run, from the beginning.
'use strict'

const fs = require('fs')
const path = require('path')
const { Kafka, logLevel } = require('kafkajs')
const murmur2 = require('kafkajs/src/producer/partitioners/default/murmur2')

const PARTITIONS = 3

function check(ok, what) {
  if (!ok) throw new Error('check failed: ' + what)
}

function kafkaPartition(key) {
  return (murmur2(key) & 0x7fffffff) % PARTITIONS
}

async function waitUntil(pred, seconds, what) {
  const deadline = Date.now() + seconds * 1000
  while (!pred()) {
    if (Date.now() > deadline) throw new Error('timed out: ' + what)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}

function client(bootstrap, clientId) {
  return new Kafka({
    clientId,
    brokers: [bootstrap],
    logLevel: logLevel.ERROR,
    retry: { retries: 10, initialRetryTime: 100 },
  })
}

// A group member that records what it reads and which partitions it owns.
async function member(kafka, groupId, topic, name) {
  const m = { records: [], assignment: [], name }
  m.consumer = kafka.consumer({
    groupId,
    sessionTimeout: 6000,
    rebalanceTimeout: 10000,
    heartbeatInterval: 500,
    maxWaitTimeInMs: 100,
  })
  m.consumer.on(m.consumer.events.GROUP_JOIN, e => {
    m.assignment = (e.payload.memberAssignment[topic] || []).slice().sort()
  })
  await m.consumer.connect()
  await m.consumer.subscribe({ topics: [topic], fromBeginning: true })
  await m.consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      m.records.push({ partition, offset: Number(message.offset), key: message.key })
    },
  })
  return m
}

async function scenario(bootstrap) {
  const topic = 'kafkajs-orders'
  const groupId = 'kafkajs-group'
  const n = 10000
  const kafka = client(bootstrap, 'kafkajs-scenario')
  const admin = kafka.admin()
  await admin.connect()
  check(await admin.createTopics({
    topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
    waitForLeaders: true,
  }), 'topic created')

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  const messages = []
  for (let i = 0; i < n; ++i)
    messages.push({
      key: Buffer.from('user-' + (i % 97)),
      value: Buffer.from('v' + i),
      headers: { seq: Buffer.from(String(i)) },
      timestamp: String(1700000000000 + i),
    })
  for (let i = 0; i < n; i += 500)
    await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 500) })

  const c1 = await member(kafka, groupId, topic, 'c1')
  const c2 = await member(kafka, groupId, topic, 'c2')
  const seen = () => new Set([...c1.records, ...c2.records].map(r => r.partition + ':' + r.offset))
  await waitUntil(() => seen().size === n && c1.assignment.length > 0 && c2.assignment.length > 0,
                  120, 'two consumers reading all records')
  for (const r of [...c1.records, ...c2.records])
    check(r.partition === kafkaPartition(r.key), 'key ' + r.key + ' on partition ' + r.partition)

  const ends = {}
  for (const o of await admin.fetchTopicOffsets(topic)) ends[o.partition] = Number(o.high)
  check(Object.values(ends).reduce((a, b) => a + b, 0) === n, 'end offsets ' + JSON.stringify(ends))
  for (const m of [c1, c2])
    await m.consumer.commitOffsets(m.assignment.map(p => ({ topic, partition: p,
                                                            offset: String(ends[p]) })))
  await c2.consumer.disconnect()
  await waitUntil(() => c1.assignment.length === PARTITIONS, 90, 'partitions moving to c1')

  const before = c1.records.length
  const late = []
  for (let i = 0; i < 300; ++i) late.push({ key: Buffer.from('late-' + i), value: Buffer.from('late') })
  await producer.send({ topic, acks: -1, messages: late })
  await waitUntil(() => c1.records.length - before >= 300, 60, 'c1 reading the new records')
  const fresh = c1.records.slice(before)
  check(fresh.length === 300, 'c1 read ' + fresh.length + ' new records')
  const committed = {}
  let expect = 0
  for (let p = 0; p < PARTITIONS; ++p) {
    const offs = fresh.filter(r => r.partition === p).map(r => r.offset).sort((a, b) => a - b)
    check(offs.length > 0, 'new records on partition ' + p)
    check(offs[0] === ends[p], 'partition ' + p + ' resumed at ' + offs[0] + ', committed ' + ends[p])
    committed[p] = offs[Math.floor(offs.length / 2)]
    expect += offs[offs.length - 1] + 1 - committed[p]
  }
  await c1.consumer.commitOffsets(Object.entries(committed).map(([p, o]) => ({
    topic, partition: Number(p), offset: String(o) })))
  await c1.consumer.disconnect()
  await producer.disconnect()

  const c3 = await member(kafka, groupId, topic, 'c3')
  await waitUntil(() => c3.records.length >= expect, 90, 'c3 resuming from the committed offsets')
  await new Promise(resolve => setTimeout(resolve, 500))
  check(c3.records.length === expect, 'c3 read ' + c3.records.length + ', expected ' + expect)
  for (let p = 0; p < PARTITIONS; ++p) {
    const min = Math.min(...c3.records.filter(r => r.partition === p).map(r => r.offset))
    check(min === committed[p], 'partition ' + p + ' restarted at ' + min)
  }
  await c3.consumer.disconnect()
  await admin.disconnect()
}

// ---- cross-client matrix ------------------------------------------------------------------

const enc = b => (b === null || b === undefined ? '-' : 'x' + Buffer.from(b).toString('hex'))
const dec = s => (s === '-' ? null : Buffer.from(s.slice(1), 'hex'))

async function produce(bootstrap, topic, specFile) {
  const messages = fs.readFileSync(specFile, 'utf8').trim().split('\n').map(line => {
    const [ts, key, value, hs] = line.split(' ')
    const headers = {}
    if (hs.length > 1)
      for (const h of hs.slice(1).split(',')) {
        const [k, v] = h.split(':').map(dec)
        const name = k.toString('utf8')
        if (headers[name] === undefined) headers[name] = v
        else headers[name] = [].concat(headers[name], [v])
      }
    return { partition: 0, key: dec(key), value: dec(value), headers, timestamp: ts }
  })
  const producer = client(bootstrap, 'kafkajs-produce').producer({ idempotent: true,
                                                                   maxInFlightRequests: 1 })
  await producer.connect()
  await producer.send({ topic, acks: -1, messages })
  await producer.disconnect()
}

async function dump(bootstrap, outDir, count, topics) {
  const out = {}
  for (const t of topics) out[t] = []
  const consumer = client(bootstrap, 'kafkajs-dump').consumer({
    groupId: 'kafkajs-dump-' + process.pid + '-' + Date.now(), maxWaitTimeInMs: 100 })
  await consumer.connect()
  await consumer.subscribe({ topics, fromBeginning: true })
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ topic, message }) => {
      const hs = []
      for (const [k, v] of Object.entries(message.headers || {}))
        for (const one of Array.isArray(v) ? v : [v]) hs.push(enc(Buffer.from(k)) + ':' + enc(one))
      out[topic].push([message.offset, message.timestamp, enc(message.key), enc(message.value),
                       'h' + hs.join(',')].join(' '))
    },
  })
  await waitUntil(() => topics.every(t => out[t].length >= count), 60, 'dumping ' + topics)
  await consumer.disconnect()
  for (const t of topics)
    fs.writeFileSync(path.join(outDir, t + '.txt'), out[t].slice(0, count).join('\n') + '\n')
}

async function main(argv) {
  const [cmd, bootstrap] = argv
  if (cmd === 'scenario') await scenario(bootstrap)
  else if (cmd === 'produce') await produce(bootstrap, argv[2], argv[3])
  else if (cmd === 'dump') await dump(bootstrap, argv[2], Number(argv[3]), argv.slice(4))
  else throw new Error('unknown command ' + cmd)
  console.log('ok kafkajs ' + cmd)
}

main(process.argv.slice(2)).then(() => process.exit(0), err => {
  console.error(err && err.stack ? err.stack : err)
  process.exit(1)
})
