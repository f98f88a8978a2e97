/**
 * B5's baseline: plain Socket.IO (no Redis adapter, no authentication) with every client in one room;
 * `POST /emit` broadcasts its JSON body to the room. `tsx bench/baselines/socket-server.ts <port>`
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const [port] = process.argv.slice(2);
if (!port) {
  console.error('usage: tsx bench/baselines/socket-server.ts <port>');
  process.exit(2);
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/health') {
    res.end('ok');
    return;
  }
  if (req.method !== 'POST' || req.url !== '/emit') {
    res.statusCode = 404;
    res.end();
    return;
  }
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString()));
  req.on('end', () => {
    io.to('dispatch').emit('driver:location', JSON.parse(body));
    res.statusCode = 202;
    res.end();
  });
});
const io = new Server(server, { maxHttpBufferSize: 16 * 1024, pingInterval: 10_000, pingTimeout: 8_000 });
io.on('connection', (socket) => void socket.join('dispatch'));
server.listen(Number(port), '127.0.0.1');
const stop = () => {
  io.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
