// cr.nn: filled in by its module files.
export {};
