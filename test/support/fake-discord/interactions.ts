import { Errors, formError } from './errors.js';
import type { Route, RouteContext } from './http.js';
import type { Dispatch, Messages } from './messages.js';
import { buildInteractionPayload } from './interaction-payload.js';
import type { ChannelRecord, State } from './state.js';
import type { InteractInput, InteractionOutcome, StoredMessage } from './types.js';
import { isEmptyMessage } from './validate-message.js';
import { validateAutocompleteResult } from './validate-commands.js';

type Json = Record<string, unknown>;

const EPHEMERAL = 64;
const LOADING = 128;
const TOKEN_LIFETIME_MS = 15 * 60_000;
const asObject = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});

interface InteractionRecord {
  id: string;
  token: string;
  type: 2 | 4;
  name: string;
  createdAt: number;
  channel: ChannelRecord;
  userId: string;
  acked: boolean;
  original: StoredMessage | null;
  outcome: Outcome;
  timer: NodeJS.Timeout;
  resolve: (outcome: InteractionOutcome) => void;
}

class Outcome implements InteractionOutcome {
  callbackType: number | null = null;
  data: Json | null = null;
  ephemeral = false;
  latencyMs: number | null = null;
  error?: 'timeout';
  delivered = false;
  followUps: StoredMessage[] = [];
  edits: InteractionOutcome['edits'] = [];
  readonly listeners = new Set<() => void>();

  constructor(
    readonly interactionId: string,
    readonly token: string,
    private readonly getOriginal: () => StoredMessage | null,
  ) {}

  get original(): StoredMessage | null {
    return this.getOriginal();
  }

  changed(): void {
    for (const listener of [...this.listeners]) listener();
  }

  waitFor(predicate: (o: InteractionOutcome) => boolean, timeoutMs = 10_000): Promise<InteractionOutcome> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!predicate(this)) return;
        cleanup();
        resolve(this);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`fake-discord: interaction ${this.interactionId} did not reach the expected state within ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }

  async waitForFinal(timeoutMs = 10_000): Promise<StoredMessage> {
    if (this.error) throw new Error(`fake-discord: interaction ${this.interactionId} was never acknowledged (${this.error})`);
    if (this.callbackType !== 4 && this.callbackType !== 5)
      throw new Error(`fake-discord: callback type ${String(this.callbackType)} has no message`);
    await this.waitFor((o) => o.original !== null && (o.callbackType === 4 || o.original.edits.length > 0), timeoutMs);
    return this.original!;
  }
}

/** Dispatches interactions over the gateway and serves the callback and interaction-webhook endpoints. */
export class Interactions {
  private readonly byToken = new Map<string, InteractionRecord>();

  constructor(
    private readonly state: State,
    private readonly messages: Messages,
    private readonly dispatch: Dispatch,
    private readonly timeoutMs: number,
  ) {}

  /** Sends INTERACTION_CREATE and resolves once the app acknowledged it or the deadline passed. */
  async interact(input: InteractInput, mutate?: (payload: Json) => Json): Promise<InteractionOutcome> {
    const built = buildInteractionPayload(this.state, input);
    const { channel, userId } = built;
    const payload = built.payload;
    const id = payload.id as string;
    const token = payload.token as string;
    return new Promise((resolve) => {
      const record: InteractionRecord = {
        id,
        token,
        type: payload.type as 2 | 4,
        name: input.name,
        createdAt: Date.now(),
        channel,
        userId,
        acked: false,
        original: null,
        resolve,
        outcome: new Outcome(id, token, () => record.original),
        timer: setTimeout(() => {
          if (record.acked) return;
          record.outcome.error = 'timeout';
          record.outcome.changed();
          resolve(record.outcome);
        }, this.timeoutMs),
      };
      this.byToken.set(token, record);
      const sent = mutate ? { ...mutate(structuredClone(payload)), id, token } : payload;
      this.dispatch('INTERACTION_CREATE', sent, null);
    });
  }

  /** Marks an interaction delivered once its INTERACTION_CREATE is written to an open socket. */
  noteDelivered(data: Json): void {
    const record = this.byToken.get(String(data.token));
    if (record) record.outcome.delivered = true;
  }

  /** Stops pending deadline timers. */
  close(): void {
    for (const record of this.byToken.values()) clearTimeout(record.timer);
  }

  private originalJson(record: InteractionRecord, message: StoredMessage): Json {
    const user = this.state.users.get(record.userId)!;
    const owners = record.channel.guildId ? { '0': record.channel.guildId } : { '0': '0' };
    const json = this.state.messageJson(message);
    if (message !== record.original) return json;
    return {
      ...json,
      interaction_metadata: {
        id: record.id,
        type: record.type,
        user: this.state.userJson(user),
        authorizing_integration_owners: owners,
        name: record.name,
        command_type: 1,
      },
      interaction: { id: record.id, type: record.type, name: record.name, user: this.state.userJson(user) },
    };
  }

  private callback(ctx: RouteContext) {
    const record = this.byToken.get(ctx.params.token!);
    if (!record || record.id !== ctx.params.interactionId) throw Errors.unknownInteraction();
    if (record.acked) throw Errors.alreadyAcknowledged();
    if (record.outcome.error === 'timeout') throw Errors.unknownInteraction();
    const body = asObject(ctx.body);
    const type = body.type;
    const allowed = record.type === 4 ? [8] : [4, 5, 9];
    if (typeof type !== 'number' || !allowed.includes(type)) {
      throw formError([
        {
          path: ['type'],
          code: 'INTERACTION_RESPONSE_TYPE_INVALID',
          message: `Interaction response type ${String(type)} is not valid for interaction type ${record.type}.`,
        },
      ]);
    }
    const data = asObject(body.data);
    const ephemeral = (Number(data.flags ?? 0) & EPHEMERAL) !== 0;
    const options = { interactionId: record.id, type: 20, ephemeral, errorPath: ['data'] };
    if (type === 4) record.original = this.messages.create(record.channel, data, ctx.files, options).message;
    else if (type === 5)
      record.original = this.messages.create(record.channel, {}, [], { ...options, extraFlags: LOADING, skipEmptyCheck: true }).message;
    else if (type === 8) {
      const issues = validateAutocompleteResult(data);
      if (issues.length > 0) throw formError(issues);
    } else if (typeof data.custom_id !== 'string' || typeof data.title !== 'string') {
      throw formError([{ path: ['data', 'custom_id'], code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }]);
    }
    clearTimeout(record.timer);
    record.acked = true;
    Object.assign(record.outcome, { callbackType: type, data: body.data ?? null, ephemeral, latencyMs: Date.now() - record.createdAt });
    record.outcome.changed();
    record.resolve(record.outcome);
    if (ctx.query.get('with_response') !== 'true') return { status: 204 };
    return {
      status: 200,
      body: {
        interaction: {
          id: record.id,
          type: record.type,
          activity_instance_id: null,
          response_message_id: record.original?.id ?? null,
          response_message_loading: type === 5,
          response_message_ephemeral: ephemeral,
        },
        resource: { type, ...(record.original ? { message: this.originalJson(record, record.original) } : {}) },
      },
    };
  }

  private webhookRecord(ctx: RouteContext): InteractionRecord {
    const record = this.byToken.get(ctx.params.token!);
    if (!record || ctx.params.appId !== this.state.applicationId || !record.acked) throw Errors.unknownWebhook();
    if (Date.now() - record.createdAt > TOKEN_LIFETIME_MS) throw Errors.invalidWebhookToken();
    return record;
  }

  private webhookMessage(record: InteractionRecord, id: string): StoredMessage {
    const message = id === '@original' ? record.original : record.outcome.followUps.find((m) => m.id === id);
    if (!message) throw Errors.unknownMessage();
    return message;
  }

  /** REST routes for `/interactions/:id/:token/callback` and `/webhooks/:app/:token/...` (no bot auth, like Discord). */
  routes(): Route[] {
    const base = { auth: false } as const;
    return [
      {
        ...base,
        bucket: 'none',
        method: 'POST',
        pattern: '/interactions/:interactionId/:token/callback',
        handler: (ctx) => this.callback(ctx),
      },
      {
        ...base,
        bucket: 'other',
        method: 'POST',
        pattern: '/webhooks/:appId/:token',
        handler: (ctx) => {
          const record = this.webhookRecord(ctx);
          const body = asObject(ctx.body);
          const ephemeral = (Number(body.flags ?? 0) & EPHEMERAL) !== 0;
          const { message } = this.messages.create(record.channel, body, ctx.files, { interactionId: record.id, ephemeral });
          record.outcome.followUps.push(message);
          record.outcome.changed();
          return ctx.query.get('wait') === 'true' ? { status: 200, body: this.originalJson(record, message) } : { status: 204 };
        },
      },
      {
        ...base,
        bucket: 'other',
        method: 'GET',
        pattern: '/webhooks/:appId/:token/messages/:messageId',
        handler: (ctx) => {
          const record = this.webhookRecord(ctx);
          return { status: 200, body: this.originalJson(record, this.webhookMessage(record, ctx.params.messageId!)) };
        },
      },
      {
        ...base,
        bucket: 'other',
        method: 'PATCH',
        pattern: '/webhooks/:appId/:token/messages/:messageId',
        handler: (ctx) => {
          const record = this.webhookRecord(ctx);
          const message = this.webhookMessage(record, ctx.params.messageId!);
          const body = asObject(ctx.body);
          const next = {
            content: 'content' in body ? body.content : message.content,
            embeds: 'embeds' in body ? body.embeds : message.embeds,
            components: body.components,
          };
          if (isEmptyMessage(next, message.attachments.length + ctx.files.length)) throw Errors.emptyMessage();
          this.messages.edit(message, body, ctx.files, { clearFlags: LOADING });
          record.outcome.edits.push({ at: Date.now(), messageId: message.id, payload: body });
          record.outcome.changed();
          return { status: 200, body: this.originalJson(record, message) };
        },
      },
      {
        ...base,
        bucket: 'other',
        method: 'DELETE',
        pattern: '/webhooks/:appId/:token/messages/:messageId',
        handler: (ctx) => {
          const record = this.webhookRecord(ctx);
          this.messages.delete(this.webhookMessage(record, ctx.params.messageId!));
          return { status: 204 };
        },
      },
    ];
  }
}
