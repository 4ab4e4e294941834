import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { type ShardKey, parseShard, routesTo } from './sharding.js';
import type { State } from './state.js';

type Json = Record<string, unknown>;

const Op = {
  Dispatch: 0,
  Heartbeat: 1,
  Identify: 2,
  PresenceUpdate: 3,
  VoiceStateUpdate: 4,
  Resume: 6,
  Reconnect: 7,
  RequestGuildMembers: 8,
  InvalidSession: 9,
  Hello: 10,
  HeartbeatAck: 11,
  RequestSoundboardSounds: 31,
} as const;
const GUILDS_INTENT = 1;
const PRIVILEGED_INTENTS = (1 << 1) | (1 << 8) | (1 << 15);
const KNOWN_INTENTS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 20, 21, 24, 25].reduce((m, b) => m | (1 << b), 0);
const REPLAY_BUFFER = 1000;

interface Session {
  id: string;
  seq: number;
  intents: number;
  /** `[shard_id, num_shards]` from IDENTIFY; [0, 1] when it sent none. */
  shard: ShardKey;
  /** Whether IDENTIFY carried `shard` (READY echoes it only then). */
  shardSent: boolean;
  events: Json[];
  conn: Conn | null;
}

/** A gateway session Discord keeps: connected, or closed but still resumable. */
export interface GatewaySession {
  id: string;
  /** `[shard_id, num_shards]` from IDENTIFY; [0, 1] for a session that sent no `shard`. */
  shard: [number, number];
  intents: number;
  /** Whether a socket is open on it now (false: it is waiting for a RESUME and buffers its dispatches). */
  connected: boolean;
  /** The bot's guilds this session receives events of now, ascending. */
  guildIds: string[];
}

interface Conn {
  ws: WebSocket;
  session: Session | null;
  deadline: NodeJS.Timeout | null;
}

/** Counters and records describing gateway traffic, for assertions. */
export interface GatewayStats {
  connections: number;
  identifies: number;
  resumes: number;
  heartbeats: number;
  /** Intents sent with each IDENTIFY, in order. */
  identifiedIntents: number[];
  /** `shard` sent with each accepted IDENTIFY, in order (null: none was sent). */
  identifiedShards: Array<[number, number] | null>;
  /** Full URL of every gateway connection, in order (resumes use `resume_gateway_url`). */
  connectionUrls: string[];
  /** Close codes the server sent, in order. */
  serverCloseCodes: number[];
}

const trace = (name: string): string[] => [JSON.stringify([`fake-gateway-${name}`, { micros: 1000 }])];

/** A Discord gateway (v10, JSON, uncompressed) with sessions, sequence numbers, heartbeats and resume. */
export class Gateway {
  readonly stats: GatewayStats = {
    connections: 0,
    identifies: 0,
    resumes: 0,
    heartbeats: 0,
    identifiedIntents: [],
    identifiedShards: [],
    connectionUrls: [],
    serverCloseCodes: [],
  };
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sessions = new Map<string, Session>();
  private readonly conns = new Set<Conn>();

  /** Called for each dispatch actually written to an open socket (live or replayed on RESUME). */
  onDelivered: ((event: string, data: Json) => void) | null = null;

  constructor(
    private readonly state: State,
    private readonly options: {
      heartbeatIntervalMs: number;
      approvedPrivilegedIntents: number;
      /** A session whose shard would hold more of the bot's guilds is closed with 4011 Sharding Required. */
      maxGuildsPerShard: number;
      baseUrl: () => string;
    },
  ) {}

  /** Accepts a WebSocket upgrade from the shared HTTP server. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, req));
  }

  private onConnection(ws: WebSocket, req: IncomingMessage): void {
    const conn: Conn = { ws, session: null, deadline: null };
    this.conns.add(conn);
    this.stats.connections += 1;
    this.stats.connectionUrls.push(`${this.options.baseUrl()}${req.url ?? '/'}`);
    ws.on('message', (data) => this.onMessage(conn, data.toString()));
    ws.on('close', (code) => this.onClose(conn, code));
    ws.on('error', () => ws.terminate());
    const query = new URL(req.url ?? '/', 'ws://127.0.0.1').searchParams;
    if (query.get('v') !== '10') return this.closeWith(conn, 4012, 'Invalid API version');
    if ((query.get('encoding') ?? 'json') !== 'json' || query.has('compress')) {
      return this.closeWith(conn, 4002, 'fake-discord only speaks uncompressed JSON');
    }
    this.send(conn, {
      op: Op.Hello,
      d: { heartbeat_interval: this.options.heartbeatIntervalMs, _trace: trace('hello') },
      s: null,
      t: null,
    });
    this.armDeadline(conn);
  }

  private armDeadline(conn: Conn): void {
    if (conn.deadline) clearTimeout(conn.deadline);
    const interval = this.options.heartbeatIntervalMs;
    // Discord drops connections that miss a heartbeat; the grace keeps jittered first beats legal.
    conn.deadline = setTimeout(() => this.closeWith(conn, 4009, 'Session timed out'), interval * 1.5 + 1000);
  }

  private send(conn: Conn, payload: Json): void {
    if (conn.ws.readyState !== WebSocket.OPEN) return;
    conn.ws.send(JSON.stringify(payload));
    if (payload.op === Op.Dispatch) this.onDelivered?.(payload.t as string, payload.d as Json);
  }

  private closeWith(conn: Conn, code: number, reason: string): void {
    this.stats.serverCloseCodes.push(code);
    if (conn.ws.readyState === WebSocket.OPEN || conn.ws.readyState === WebSocket.CONNECTING) conn.ws.close(code, reason);
  }

  private onClose(conn: Conn, code: number): void {
    if (conn.deadline) clearTimeout(conn.deadline);
    this.conns.delete(conn);
    const session = conn.session;
    if (!session || session.conn !== conn) return;
    session.conn = null;
    // Closing with 1000/1001 invalidates the session, exactly as Discord documents.
    if (code === 1000 || code === 1001) this.sessions.delete(session.id);
  }

  private onMessage(conn: Conn, text: string): void {
    let payload: Json;
    try {
      payload = JSON.parse(text) as Json;
    } catch {
      return this.closeWith(conn, 4002, 'Error while decoding payload.');
    }
    const d = (payload.d ?? null) as Json | null;
    switch (payload.op) {
      case Op.Heartbeat:
        this.stats.heartbeats += 1;
        this.armDeadline(conn);
        return this.send(conn, { op: Op.HeartbeatAck, d: null, s: null, t: null });
      case Op.Identify:
        return this.identify(conn, d ?? {});
      case Op.Resume:
        return this.resume(conn, d ?? {});
      case Op.PresenceUpdate:
      case Op.VoiceStateUpdate:
      case Op.RequestGuildMembers:
      case Op.RequestSoundboardSounds:
        if (!conn.session) this.closeWith(conn, 4003, 'Not authenticated.');
        return;
      default:
        return this.closeWith(conn, 4001, 'Unknown opcode.');
    }
  }

  private identify(conn: Conn, d: Json): void {
    if (conn.session) return this.closeWith(conn, 4005, 'Already authenticated.');
    if (d.token !== this.state.token) return this.closeWith(conn, 4004, 'Authentication failed.');
    const shard = parseShard(d.shard);
    if (!shard) return this.closeWith(conn, 4010, 'Invalid shard.');
    const intents = d.intents;
    if (typeof intents !== 'number' || !Number.isInteger(intents) || (intents & ~KNOWN_INTENTS) !== 0)
      return this.closeWith(conn, 4013, 'Invalid intent(s).');
    this.stats.identifies += 1;
    this.stats.identifiedIntents.push(intents);
    if ((intents & PRIVILEGED_INTENTS & ~this.options.approvedPrivilegedIntents) !== 0)
      return this.closeWith(conn, 4014, 'Disallowed intent(s).');
    // Only the guilds this shard routes: READY lists them, and only they get a GUILD_CREATE (events/gateway, Sharding).
    const guilds = [...this.state.guilds.values()].filter((g) => g.botPresent && routesTo(shard, g.id));
    if (guilds.length > this.options.maxGuildsPerShard) return this.closeWith(conn, 4011, 'Sharding required.');
    const shardSent = d.shard !== undefined;
    this.stats.identifiedShards.push(shardSent ? [shard[0], shard[1]] : null);
    const session: Session = { id: randomBytes(16).toString('hex'), seq: 0, intents, shard, shardSent, events: [], conn };
    this.sessions.set(session.id, session);
    conn.session = session;
    this.emit(session, 'READY', {
      v: 10,
      user_settings: {},
      user: { ...this.state.userJson(this.state.bot), verified: true, mfa_enabled: false, email: null },
      guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
      guild_join_requests: [],
      relationships: [],
      private_channels: [],
      presences: [],
      session_id: session.id,
      session_type: 'normal',
      resume_gateway_url: `${this.options.baseUrl()}/resume`,
      // READY carries the session's shard only "if sent when identifying" (gateway-events, Ready).
      ...(shardSent ? { shard: [shard[0], shard[1]] } : {}),
      application: { id: this.state.applicationId, flags: 0 },
      auth: {},
      geo_ordered_rtc_regions: ['fake-local'],
      _trace: trace('ready'),
    });
    if ((intents & GUILDS_INTENT) === 0) return;
    // Guilds in an outage get a GUILD_DELETE marked unavailable instead (gateway-events, Guild Create).
    for (const guild of guilds) {
      if (guild.unavailable) this.emit(session, 'GUILD_DELETE', { id: guild.id, unavailable: true });
      else this.emit(session, 'GUILD_CREATE', this.state.guildCreateJson(guild));
    }
  }

  private resume(conn: Conn, d: Json): void {
    const session = this.sessions.get(String(d.session_id));
    if (!session || d.token !== this.state.token) {
      return this.send(conn, { op: Op.InvalidSession, d: false, s: null, t: null });
    }
    this.stats.resumes += 1;
    const previous = session.conn;
    if (previous && previous !== conn) {
      previous.session = null;
      previous.ws.terminate();
    }
    session.conn = conn;
    conn.session = session;
    const since = typeof d.seq === 'number' ? d.seq : 0;
    for (const event of session.events) if ((event.s as number) > since) this.send(conn, event);
    this.emit(session, 'RESUMED', { _trace: trace('resumed') });
  }

  private emit(session: Session, t: string, d: Json): void {
    session.seq += 1;
    const payload = { op: Op.Dispatch, t, s: session.seq, d };
    session.events.push(payload);
    if (session.events.length > REPLAY_BUFFER) session.events.shift();
    if (session.conn) this.send(session.conn, payload);
  }

  /**
   * Sends a dispatch to every session that has `intent` (null: every session) and whose shard routes `guildId` (null:
   * an event without a guild, for shard 0); disconnected sessions buffer it for RESUME. Sessions that identified as
   * the same shard each get it: Discord routes per session and allows "multiple sessions with the same [shard_id,
   * num_shards]" (events/gateway, Sharding), and a bot running twice gets every interaction twice (one ack fails with
   * 40060: HuyaneMatsu/hata issue 80).
   */
  dispatch(event: string, data: Json, intent: number | null, guildId: string | null): number {
    let delivered = 0;
    for (const session of this.sessions.values()) {
      if (intent !== null && (session.intents & intent) === 0) continue;
      if (!routesTo(session.shard, guildId)) continue;
      this.emit(session, event, data);
      delivered += 1;
    }
    return delivered;
  }

  /** The sessions Discord keeps (connected or resumable), in the order they identified. */
  listSessions(): GatewaySession[] {
    const guildIds = [...this.state.guilds.values()].filter((g) => g.botPresent).map((g) => g.id);
    return [...this.sessions.values()].map((s) => ({
      id: s.id,
      shard: [s.shard[0], s.shard[1]],
      intents: s.intents,
      connected: s.conn?.ws.readyState === WebSocket.OPEN,
      guildIds: guildIds.filter((id) => routesTo(s.shard, id)).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0)),
    }));
  }

  /** Number of sessions that currently have an open socket. */
  liveSessions(): number {
    return [...this.sessions.values()].filter((s) => s.conn?.ws.readyState === WebSocket.OPEN).length;
  }

  /** Kills every socket without a close frame (client sees 1006) or closes with `code`; sessions stay resumable. */
  dropSockets(code?: number): void {
    for (const conn of this.conns) {
      if (code === undefined) conn.ws.terminate();
      else this.closeWith(conn, code, 'fake-discord dropped the connection');
    }
  }

  /** Sends op 7 Reconnect to every socket. */
  sendReconnect(): void {
    for (const conn of this.conns) this.send(conn, { op: Op.Reconnect, d: null, s: null, t: null });
  }

  /** Sends op 9 Invalid Session; when not resumable the sessions are forgotten. */
  sendInvalidSession(resumable: boolean): void {
    for (const conn of this.conns) {
      if (!resumable && conn.session) this.sessions.delete(conn.session.id);
      this.send(conn, { op: Op.InvalidSession, d: resumable, s: null, t: null });
    }
  }

  /** Sends op 1, asking clients to heartbeat immediately. */
  requestHeartbeat(): void {
    for (const conn of this.conns) this.send(conn, { op: Op.Heartbeat, d: null, s: null, t: null });
  }

  /** Terminates all sockets and stops timers. */
  close(): void {
    for (const conn of this.conns) {
      if (conn.deadline) clearTimeout(conn.deadline);
      conn.ws.terminate();
    }
    this.wss.close();
  }
}
