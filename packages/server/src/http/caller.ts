/**
 * The authenticated actor as the catalog's access rules see it (a Caller):
 * who the subject is (a delegated caller is its subject, never the acting
 * engine), which role members it matches, and how the audit trail names it.
 */
import type { FastifyRequest } from 'fastify';
import { type Actor, describeActor } from '../auth/actor.js';
import { ADMIN_ROLE } from '../auth/issuer/principals.js';
import { rightsOf } from '../auth/issuer/scopes.js';
import type { Member } from '../catalog/ports/access.js';
import type { CatalogRequest } from '../catalog/context.js';
import type { Caller } from '../catalog/ports/index.js';

/** The role members an actor matches: its service principal, or the user and each of its IdP groups (by issuer). */
export function membersOf(actor: Actor): Member[] {
  if (actor.kind === 'service') return [{ kind: 'principal', issuer: '', name: actor.subject }];
  if (actor.kind === 'user')
    return [
      { kind: 'user', issuer: actor.issuer, name: actor.subject },
      ...actor.groups.map((g) => ({ kind: 'group' as const, issuer: actor.issuer, name: g })),
    ];
  return [];
}

/**
 * What a Caller takes from its Actor, per Actor object: the token authenticator hands out the same
 * (never modified) Actor for every request with the same token, so an engine's requests share one
 * `members` array (which the access service's decision cache keys on) and nothing is rebuilt per
 * request. Revocation and disabled principals are checked before the Actor is handed out.
 */
const fromActor = new WeakMap<Actor, Omit<Caller, 'requestId'>>();

export function callerOfActor(actor: Actor, requestId?: string): Caller {
  let base = fromActor.get(actor);
  if (base === undefined) {
    // Frozen: the access service keys its decision caches by this very array (access-service.ts whoOf).
    const members = Object.freeze(membersOf(actor).map((m) => Object.freeze(m)));
    base = {
      tenant: actor.tenant,
      description: describeActor(actor),
      key: JSON.stringify([members[0]?.kind ?? 'anonymous', members[0]?.issuer ?? '', actor.subject]),
      members,
      admin: actor.kind !== 'anonymous' && actor.roles.includes(ADMIN_ROLE),
      // Only with authentication disabled (development) is a request anonymous.
      unrestricted: actor.kind === 'anonymous',
      ...(actor.scopes !== undefined ? { scope: rightsOf(actor.scopes) } : {}),
      ...(actor.act ? { act: actingChain(actor) } : {}),
    };
    fromActor.set(actor, base);
  }
  // Property by property, not `{ ...base, requestId }`: that literal is a slow path of V8's (about 600 ns
  // against 12 ns, Node 20) and this runs on every request.
  const caller: Caller = {
    tenant: base.tenant,
    description: base.description,
    key: base.key,
    members: base.members,
    admin: base.admin,
    unrestricted: base.unrestricted,
    scope: base.scope,
    requestId,
    act: base.act,
  };
  // Only a job credential's caller has it (lance-optimize/job-credential.ts); every other caller keeps its shape.
  if (base.catalogJob === true) caller.catalogJob = true;
  return caller;
}

/**
 * Makes `actor` stand for a caller built elsewhere: an optimize job's private Lance namespace (lance-optimize/) serves
 * the catalog as committer, a caller no credential of the public surfaces can be.
 */
export function bindCaller(actor: Actor, caller: Omit<Caller, 'requestId'>): void {
  fromActor.set(actor, caller);
}

/** The acting parties of a delegated call, nearest first (RFC 8693 `act`). */
function actingChain(actor: Actor): string[] {
  const out: string[] = [];
  for (let a = actor.act; a; a = a.act) out.push(a.sub);
  return out;
}

/** The caller of a request. */
export function callerOf(req: FastifyRequest): Caller {
  return callerOfActor(req.actor, req.id);
}

/** What a protocol route hands a catalog service: the caller and the warehouse (prefix) it addresses. */
export function catalogRequest(req: FastifyRequest<{ Params: { prefix: string } }>): CatalogRequest {
  // Two literals, not a spread of an optional part: this runs on every catalog request.
  if (!req.idempotencyKey) return { caller: callerOf(req), warehouse: req.params.prefix };
  return { caller: callerOf(req), warehouse: req.params.prefix, idempotency: { key: req.idempotencyKey, applied: req.idempotencyApplied } };
}
