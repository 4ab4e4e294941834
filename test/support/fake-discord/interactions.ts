import { Errors, formError } from './errors.js';
import type { Route, RouteContext } from './http.js';
import type { Dispatch, Messages } from './messages.js';
import { buildComponentPayload, buildInteractionPayload } from './interaction-payload.js';
import type { ChannelRecord, State } from './state.js';
import type { ComponentInteractInput, InteractInput, InteractionOutcome, StoredMessage } from './types.js';
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
  type: 2 | 3 | 4;
  /** The command's name, or the clicked button's custom_id. */
  name: string;
  createdAt: number;
  channel: ChannelRecord;
  userId: string;
  acked: boolean;
  /** `@original`: the response message (4, 5), or the message the clicked button is on (6, 7). */
  original: StoredMessage | null;
  /** The message a 4 or 5 callback created, which carries this interaction's metadata. */
  response: StoredMessage | null;
  /** For a button click: the message the button is on. */
  componentMessage: StoredMessage | null;
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
    if (this.callbackType === null || ![4, 5, 6, 7].includes(this.callbackType))
      throw new Error(`fake-discord: callback type ${String(this.callbackType)} has no message`);
    const ready = (o: InteractionOutcome): boolean =>
      o.original !== null &&
      (o.callbackType === 4 || o.callbackType === 7 || (o.callbackType === 5 ? o.original.edits.length > 0 : o.edits.length > 0));
    await this.waitFor(ready, timeoutMs);
    return this.original!;
  }
}

/** Dispatches interactions over the gateway and serves the callback and interaction-webhook endpoints. */
export class Interactions {
  private readonly byToken = new Map<string, InteractionRecord>();
  private readonly byId = new Map<string, InteractionRecord>();

  constructor(
    private readonly state: State,
    private readonly messages: Messages,
    private readonly dispatch: Dispatch,
    private readonly timeoutMs: number,
  ) {}

  /** Sends INTERACTION_CREATE and resolves once the app acknowledged it or the deadline passed. */
  async interact(input: InteractInput | ComponentInteractInput, mutate?: (payload: Json) => Json): Promise<InteractionOutcome> {
    const built =
      input.type === 'button'
        ? buildComponentPayload(this.state, input, (message) => this.renderMessage(message))
        : { ...buildInteractionPayload(this.state, input), message: null };
    const { channel, userId } = built;
    const payload = built.payload;
    const id = payload.id as string;
    const token = payload.token as string;
    return new Promise((resolve) => {
      const record: InteractionRecord = {
        id,
        token,
        type: payload.type as 2 | 3 | 4,
        name: input.type === 'button' ? input.customId : input.name,
        createdAt: Date.now(),
        channel,
        userId,
        acked: false,
        original: null,
        response: null,
        componentMessage: built.message,
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
      this.byId.set(id, record);
      const sent = mutate ? { ...mutate(structuredClone(payload)), id, token } : payload;
      // Routed by the guild it happens in, not by the (possibly mutated) payload; DM interactions go to shard 0.
      this.dispatch('INTERACTION_CREATE', sent, null, channel.guildId);
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

  /** Renders a message; the response of an interaction carries that interaction's metadata. */
  private renderMessage(message: StoredMessage): Json {
    const json = this.state.messageJson(message);
    const source = message.interactionId === null ? undefined : this.byId.get(message.interactionId);
    if (!source || source.response !== message) return json;
    const user = this.state.userJson(this.state.users.get(source.userId)!);
    const owners = source.channel.guildId ? { '0': source.channel.guildId } : { '0': '0' };
    const base = { id: source.id, type: source.type, user, authorizing_integration_owners: owners };
    if (source.type === 3) return { ...json, interaction_metadata: { ...base, interacted_message_id: source.componentMessage!.id } };
    return {
      ...json,
      interaction_metadata: { ...base, name: source.name, command_type: 1 },
      interaction: { id: source.id, type: source.type, name: source.name, user },
    };
  }

  /** Ephemeral messages live outside channel history; remember who sees them so buttons on them can be clicked. */
  private noteEphemeral(record: InteractionRecord, message: StoredMessage): void {
    if ((message.flags & EPHEMERAL) !== 0) this.state.ephemeralMessages.set(message.id, { message, viewerId: record.userId });
  }

  private callback(ctx: RouteContext) {
    const record = this.byToken.get(ctx.params.token!);
    if (!record || record.id !== ctx.params.interactionId) throw Errors.unknownInteraction();
    if (record.acked) throw Errors.alreadyAcknowledged();
    if (record.outcome.error === 'timeout') throw Errors.unknownInteraction();
    const body = asObject(ctx.body);
    const type = body.type;
    // 6 and 7 are only valid for component interactions (receiving-and-responding, Interaction Callback Type).
    const allowed = record.type === 4 ? [8] : record.type === 3 ? [4, 5, 6, 7, 9] : [4, 5, 9];
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
    let ephemeral = (Number(data.flags ?? 0) & EPHEMERAL) !== 0;
    const options = { interactionId: record.id, type: record.type === 3 ? 0 : 20, ephemeral, errorPath: ['data'] };
    if (type === 4) record.original = this.messages.create(record.channel, data, ctx.files, options).message;
    else if (type === 5)
      record.original = this.messages.create(record.channel, {}, [], { ...options, extraFlags: LOADING, skipEmptyCheck: true }).message;
    else if (type === 6 || type === 7) {
      const message = record.componentMessage!;
      if (type === 7) this.messages.edit(message, data, ctx.files);
      record.original = message;
      ephemeral = (message.flags & EPHEMERAL) !== 0;
    } else if (type === 8) {
      const issues = validateAutocompleteResult(data);
      if (issues.length > 0) throw formError(issues);
    } else if (typeof data.custom_id !== 'string' || typeof data.title !== 'string') {
      throw formError([{ path: ['data', 'custom_id'], code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }]);
    }
    if (type === 4 || type === 5) {
      record.response = record.original;
      this.noteEphemeral(record, record.original!);
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
        resource: { type, ...(record.original ? { message: this.renderMessage(record.original) } : {}) },
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
          this.noteEphemeral(record, message);
          record.outcome.followUps.push(message);
          record.outcome.changed();
          return ctx.query.get('wait') === 'true' ? { status: 200, body: this.renderMessage(message) } : { status: 204 };
        },
      },
      {
        ...base,
        bucket: 'other',
        method: 'GET',
        pattern: '/webhooks/:appId/:token/messages/:messageId',
        handler: (ctx) => {
          const record = this.webhookRecord(ctx);
          return { status: 200, body: this.renderMessage(this.webhookMessage(record, ctx.params.messageId!)) };
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
            components: 'components' in body ? body.components : message.components,
          };
          if (isEmptyMessage(next, message.attachments.length + ctx.files.length)) throw Errors.emptyMessage();
          this.messages.edit(message, body, ctx.files, { clearFlags: LOADING });
          record.outcome.edits.push({ at: Date.now(), messageId: message.id, payload: body });
          record.outcome.changed();
          return { status: 200, body: this.renderMessage(message) };
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
