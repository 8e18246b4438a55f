// n8n-node lint's rules are for code that runs inside n8n (no process, fs, timers, child
// processes). This folder is tooling that must use them; tsc (npm run typecheck) checks it.
// npm run lint sets ESLINT_FLAGS=unstable_config_lookup_from_file (the default from ESLint 10),
// so this file, not the package's strict eslint.config.mjs, governs the folder.
export default [{ ignores: ['**'] }];
