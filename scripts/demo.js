#!/usr/bin/env node
// Placeholder until the MEGA Cloud node exists: the demo will run examples/ against the embedded sandboxes.
console.log('n8n-nodes-mega demo: no nodes yet — the MEGA Cloud node and its sandbox workflow arrive with later issues.');
