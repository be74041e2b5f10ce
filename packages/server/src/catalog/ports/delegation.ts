/**
 * The delegation mechanisms, apart from the signing ports: the planning ports name them too, and ports/index.ts
 * (which the signing ports read Warehouse from) names the plan store, so a file of their own keeps ports/ free of
 * a loop. ports/signing.ts re-exports them.
 */

/** How an engine reaches table data: keys handed to it, or requests signed for it. */
export type DelegationMechanism = 'vended-credentials' | 'remote-signing';
export const DELEGATION_MECHANISMS: readonly DelegationMechanism[] = ['vended-credentials', 'remote-signing'];
