// Placeholder preload for `npm run bench` (keeps the command line stable as preloads are added).
