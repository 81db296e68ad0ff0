/**
 * The governance section of the collaboration file (governance/policy.ts): validated with every
 * problem listed, and loaded only when the owners' approvers signed exactly this policy.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createIdentity, publicIdentity, type Identity } from '../../src/crypto/identity.js';
import { CollaborationError } from '../../src/errors.js';
import { Collaboration } from '../../src/governance/collaboration.js';
import { signPolicy } from '../../src/governance/policy.js';

const ids = new Map<string, Identity>();
function party(name: string, roles: string[]) {
  const identity = createIdentity(name);
  ids.set(name, identity);
  const id = publicIdentity(identity);
  return { name, roles, signingKey: id.signingKey, encryptionKey: id.encryptionKey };
}

function base() {
  const node = (index: number) => {
    const id = publicIdentity(createIdentity(`node-${index}`));
    return { index, name: `node-${'abc'[index]}`, apiUrl: `https://n${index}.example.org`, mpcAddress: `n${index}.example.org:9000`, tlsCertificateFingerprint: 'ab'.repeat(32), encryptionKey: id.encryptionKey, signingKey: id.signingKey };
  };
  return {
    format: 'tessera-collaboration/v1',
    id: 'c1',
    name: 'C',
    nodes: [node(0), node(1), node(2)],
    parties: [party('Hospital', ['input', 'output', 'representative']), party('Ethics', ['representative']), party('Analyst', ['analyst', 'output'])],
  };
}

const policy = { mode: 'production' as const, owners: [{ owner: 'Hospital', approvers: ['Hospital', 'Ethics'], required: 'all' as const, recipients: ['Analyst'], minGroupSize: 5 }] };

function problems(value: unknown): string {
  try {
    Collaboration.fromJson(value);
  } catch (error) {
    assert.ok(error instanceof CollaborationError);
    return error.message;
  }
  assert.fail('accepted');
}

test('a file without governance stays ungoverned', () => {
  assert.equal(Collaboration.fromJson(base()).governance, undefined);
});

test('a policy signed by every required approver loads; any change needs new signatures', () => {
  const file = base();
  const signatures = ['Hospital', 'Ethics'].map((n) => signPolicy('c1', policy, ids.get(n)!.signingPrivateKey));
  const c = Collaboration.fromJson({ ...file, governance: { ...policy, signatures } });
  assert.equal(c.governance?.owners[0].minGroupSize, 5);
  // One approver missing.
  assert.match(problems({ ...file, governance: { ...policy, signatures: signatures.slice(0, 1) } }), /needs 2 of its approvers' signatures.*has 1 \(Hospital\)/);
  // A change after signing (k lowered): the signatures no longer count.
  const changed = { ...policy, owners: [{ ...policy.owners[0], minGroupSize: 1 }] };
  assert.match(problems({ ...file, governance: { ...changed, signatures } }), /has 0/);
  // Signed by a party that is not an approver: does not count.
  const byAnalyst = signPolicy('c1', { ...policy, owners: [{ ...policy.owners[0], required: 'one' as const }] }, ids.get('Analyst')!.signingPrivateKey);
  assert.match(problems({ ...file, governance: { ...policy, owners: [{ ...policy.owners[0], required: 'one' }], signatures: [byAnalyst] } }), /needs 1 .* has 0/);
});

test('every problem of a policy is named', () => {
  const file = base();
  const bad = {
    mode: 'open',
    owners: [{ owner: 'Analyst', approvers: ['Analyst', 'Nobody'], required: 3, recipients: ['Ethics'], minGroupSize: 0, dpBudget: { epsilon: 1 }, extra: 1 }],
  };
  const message = problems({ ...file, governance: bad });
  for (const expected of [
    /"governance.mode" must be "production"/,
    /owner 'Analyst' has no 'input' role/,
    /"approvers": 'Analyst' does not have the 'representative' role/,
    /'Nobody' is not a party/,
    /"required" must be "one", "all" or a number from 1 to/,
    /"recipients": 'Ethics' does not have the 'output' role/,
    /"minGroupSize" must be a whole number of at least 1/,
    /"dpBudget" must be \{ "mechanism": "laplace", "epsilon": total \}/,
    /unknown field "extra"/,
  ]) assert.match(message, expected);
  const settings = problems({ ...file, governance: { ...policy, design: { seed: '', rows: 0, extra: 1 }, signatures: [] } });
  for (const expected of [/"governance.design.seed" must be text/, /"governance.design.rows" must be a whole number/, /"governance.design": unknown field "extra"/]) assert.match(settings, expected);
  const unsigned = { ...file, nodes: file.nodes.map(({ signingKey: _s, ...n }) => n) };
  const signatures = ['Hospital', 'Ethics'].map((n) => signPolicy('c1', policy, ids.get(n)!.signingPrivateKey));
  assert.match(problems({ ...unsigned, governance: { ...policy, signatures } }), /lists every node's "signingKey"/);
});

test('a differential-privacy budget is part of the signed policy: it loads, and raising it needs new signatures', () => {
  const file = base();
  const budgeted = { ...policy, owners: [{ ...policy.owners[0], dpBudget: { mechanism: 'laplace' as const, epsilon: 1 } }] };
  const signatures = ['Hospital', 'Ethics'].map((n) => signPolicy('c1', budgeted, ids.get(n)!.signingPrivateKey));
  const c = Collaboration.fromJson({ ...file, governance: { ...budgeted, signatures } });
  assert.deepEqual(c.governance?.owners[0].dpBudget, { mechanism: 'laplace', epsilon: 1 });
  const raised = { ...budgeted, owners: [{ ...budgeted.owners[0], dpBudget: { mechanism: 'laplace' as const, epsilon: 10 } }] };
  assert.match(problems({ ...file, governance: { ...raised, signatures } }), /needs 2 of its approvers' signatures.*has 0/);
  for (const bad of [{ mechanism: 'laplace', rho: 1 }, { mechanism: 'gaussian', rho: -1 }, { mechanism: 'exponential', epsilon: 1 }, { mechanism: 'laplace', epsilon: 1, extra: 2 }]) {
    assert.match(problems({ ...file, governance: { ...policy, owners: [{ ...policy.owners[0], dpBudget: bad }], signatures } }), /"dpBudget" must be/);
  }
});

test('design mode and the design settings are part of the signed policy', () => {
  const file = base();
  const design = { ...policy, mode: 'design' as const, design: { seed: 'public seed', rows: 50 } };
  const signatures = ['Hospital', 'Ethics'].map((n) => signPolicy('c1', design, ids.get(n)!.signingPrivateKey));
  const c = Collaboration.fromJson({ ...file, governance: { ...design, signatures } });
  assert.equal(c.governance?.mode, 'design');
  assert.deepEqual(c.governance?.design, { seed: 'public seed', rows: 50 });
  // Switching to production, or changing the seed, needs the approvers' signatures again.
  assert.match(problems({ ...file, governance: { ...design, mode: 'production', signatures } }), /has 0/);
  assert.match(problems({ ...file, governance: { ...design, design: { seed: 'another', rows: 50 }, signatures } }), /has 0/);
});
