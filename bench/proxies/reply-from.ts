// fastify + @fastify/reply-from pass-through. Usage: node reply-from.js <upstreamPort> [listenPort]
import replyFrom from '@fastify/reply-from';
import Fastify from 'fastify';

const upstream = `http://127.0.0.1:${process.argv[2] ?? process.env.UPSTREAM_PORT}`;
const app = Fastify({ logger: false, keepAliveTimeout: 60_000 });
await app.register(replyFrom, { base: upstream, undici: { connections: 128, pipelining: 1 } });
// Pass bodies through as streams instead of letting fastify parse them.
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
app.all('/*', (req, reply) =>
  reply.from(req.url, { onError: (r) => void r.code(502).type('text/plain').send('upstream error\n') }),
);
const address = await app.listen({
  host: '127.0.0.1',
  port: Number(process.argv[3] ?? process.env.PORT ?? 0),
});
console.log(`reply-from listening ${address.replace('http://', '')}`);
