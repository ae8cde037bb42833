// Standalone stand-in for Odoo's @web/core/registry: named categories of named entries, enough
// for components and their Odoo glue to register themselves (add, get, getAll, contains, remove).

class Registry {
  constructor(name) {
    this.name = name;
    this.entries = new Map();
    this.subs = new Map();
  }
  add(key, value, { force = false, sequence = 50 } = {}) {
    if (this.entries.has(key) && !force) {
      throw new Error(`Cannot add '${key}' in registry '${this.name}': it already exists`);
    }
    this.entries.set(key, { value, sequence });
    return this;
  }
  get(key, defaultValue) {
    if (this.entries.has(key)) return this.entries.get(key).value;
    if (arguments.length > 1) return defaultValue;
    throw new Error(`Cannot find '${key}' in registry '${this.name}'`);
  }
  contains(key) {
    return this.entries.has(key);
  }
  getAll() {
    return [...this.entries.values()].sort((a, b) => a.sequence - b.sequence).map((e) => e.value);
  }
  getEntries() {
    return [...this.entries.entries()].map(([k, e]) => [k, e.value]);
  }
  remove(key) {
    this.entries.delete(key);
  }
  category(name) {
    if (!this.subs.has(name)) this.subs.set(name, new Registry(name));
    return this.subs.get(name);
  }
}

export const registry = new Registry("root");
