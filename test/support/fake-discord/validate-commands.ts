import { type Issue, badLength, required, tooLong, wrongType } from './errors.js';

type Json = Record<string, unknown>;
type Path = Issue['path'];

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Discord's documented CHAT_INPUT name pattern. */
const CHAT_INPUT_NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;
const SUBCOMMAND = 1;
const GROUP = 2;
const CHOICE_TYPES = [3, 4, 10];

function checkName(issues: Issue[], name: unknown, path: Path, chatInput: boolean): void {
  if (typeof name !== 'string') {
    issues.push(required(path));
    return;
  }
  if ([...name].length < 1 || [...name].length > 32) issues.push(badLength(path, 1, 32));
  else if (chatInput && (!CHAT_INPUT_NAME.test(name) || name !== name.toLowerCase())) {
    issues.push({ path, code: 'APPLICATION_COMMAND_INVALID_NAME', message: `Command name is invalid` });
  }
}

function checkDescription(issues: Issue[], description: unknown, path: Path): void {
  if (typeof description !== 'string') issues.push(required(path));
  else if ([...description].length < 1 || [...description].length > 100) issues.push(badLength(path, 1, 100));
}

function validateChoices(issues: Issue[], option: Json, path: Path): void {
  const choices = option.choices;
  if (choices === undefined || choices === null) return;
  if (!Array.isArray(choices)) {
    issues.push(wrongType([...path, 'choices'], 'array'));
    return;
  }
  if (!CHOICE_TYPES.includes(option.type as number) && choices.length > 0) {
    issues.push({
      path: [...path, 'choices'],
      code: 'APPLICATION_COMMAND_OPTION_CHOICES_INVALID',
      message: 'Choices are only supported for string, integer and number options',
    });
  }
  if (choices.length > 25) issues.push(tooLong([...path, 'choices'], 25));
  if (option.autocomplete === true && choices.length > 0) {
    issues.push({
      path: [...path, 'autocomplete'],
      code: 'APPLICATION_COMMAND_AUTOCOMPLETE_CHOICES_EXCLUSIVE',
      message: 'Autocomplete and choices are mutually exclusive',
    });
  }
  choices.forEach((choice: unknown, i) => {
    const c = isObject(choice) ? choice : {};
    checkString100(issues, c.name, [...path, 'choices', i, 'name']);
    if (option.type === 3) checkString100(issues, c.value, [...path, 'choices', i, 'value']);
    else if (typeof c.value !== 'number' || (option.type === 4 && !Number.isInteger(c.value))) {
      issues.push(wrongType([...path, 'choices', i, 'value'], option.type === 4 ? 'int' : 'float'));
    }
  });
}

function checkString100(issues: Issue[], value: unknown, path: Path): void {
  if (typeof value !== 'string') issues.push(required(path));
  else if ([...value].length < 1 || [...value].length > 100) issues.push(badLength(path, 1, 100));
}

function validateOptions(issues: Issue[], options: unknown, path: Path, level: 'top' | 'group' | 'sub'): void {
  if (options === undefined || options === null) {
    if (level === 'group') issues.push(required(path));
    return;
  }
  if (!Array.isArray(options)) {
    issues.push(wrongType(path, 'array'));
    return;
  }
  if (options.length > 25) issues.push(tooLong(path, 25));
  const names = new Set<string>();
  let sawOptional = false;
  const types = options.map((o: unknown) => (isObject(o) ? o.type : undefined));
  const nested = types.filter((t) => t === SUBCOMMAND || t === GROUP).length;
  if (level === 'top' && nested > 0 && nested < options.length) {
    issues.push({
      path,
      code: 'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
      message: 'Sub-command and sub-command group option types are mutually exclusive to all other types',
    });
  }
  options.forEach((raw: unknown, i) => {
    const p = [...path, i];
    if (!isObject(raw)) {
      issues.push(wrongType(p, 'object'));
      return;
    }
    const type = raw.type;
    if (!Number.isInteger(type) || (type as number) < 1 || (type as number) > 11) {
      issues.push({
        path: [...p, 'type'],
        code: 'BASE_TYPE_CHOICES',
        message: 'Value must be one of {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}.',
      });
    }
    if ((level === 'group' && type !== SUBCOMMAND) || (level === 'sub' && (type === SUBCOMMAND || type === GROUP))) {
      issues.push({
        path: [...p, 'type'],
        code: 'APPLICATION_COMMAND_OPTION_TYPE_INVALID',
        message:
          level === 'group' ? 'Sub-command groups may only contain sub-commands' : 'Sub-commands may not contain sub-commands or groups',
      });
    }
    checkName(issues, raw.name, [...p, 'name'], true);
    checkDescription(issues, raw.description, [...p, 'description']);
    if (typeof raw.name === 'string') {
      if (names.has(raw.name))
        issues.push({
          path: [...p, 'name'],
          code: 'APPLICATION_COMMAND_OPTION_NAME_ALREADY_EXISTS',
          message: 'Option names must be unique',
        });
      names.add(raw.name);
    }
    if (type === SUBCOMMAND || type === GROUP) {
      validateOptions(issues, raw.options, [...p, 'options'], type === GROUP ? 'group' : 'sub');
      return;
    }
    if (raw.required === true && sawOptional) {
      issues.push({
        path,
        code: 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID',
        message: 'Required options must be placed before non-required options',
      });
    }
    if (raw.required !== true) sawOptional = true;
    validateChoices(issues, raw, p);
    if (raw.autocomplete === true && !CHOICE_TYPES.includes(type as number)) {
      issues.push({
        path: [...p, 'autocomplete'],
        code: 'APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_INVALID',
        message: 'Autocomplete is only supported for string, integer and number options',
      });
    }
    if (type !== 3 && (raw.min_length !== undefined || raw.max_length !== undefined)) {
      issues.push({
        path: [...p, 'min_length'],
        code: 'APPLICATION_COMMAND_OPTION_LENGTH_INVALID',
        message: 'min_length and max_length are only supported for string options',
      });
    }
    for (const key of ['min_length', 'max_length'] as const) {
      const v = raw[key];
      if (
        v !== undefined &&
        v !== null &&
        (!Number.isInteger(v) || (v as number) < (key === 'min_length' ? 0 : 1) || (v as number) > 6000)
      ) {
        issues.push({ path: [...p, key], code: 'NUMBER_TYPE_MAX', message: 'int value should be less than or equal to 6000.' });
      }
    }
  });
}

/** Sum of name, description and choice name/value characters across a command (limit 4000). */
function commandSize(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + commandSize(v), 0);
  if (!isObject(value)) return 0;
  let n = 0;
  for (const key of ['name', 'description', 'value'] as const) if (typeof value[key] === 'string') n += [...value[key]].length;
  return n + commandSize(value.options) + commandSize(value.choices);
}

/** Validates one application command definition as Discord's create/overwrite endpoints do. */
export function validateCommand(raw: unknown, path: Path, scope: 'global' | 'guild'): Issue[] {
  const issues: Issue[] = [];
  if (!isObject(raw)) return [wrongType(path, 'object')];
  const type = raw.type ?? 1;
  if (type !== 1 && type !== 2 && type !== 3 && type !== 4) {
    issues.push({ path: [...path, 'type'], code: 'BASE_TYPE_CHOICES', message: 'Value must be one of {1, 2, 3, 4}.' });
  }
  checkName(issues, raw.name, [...path, 'name'], type === 1);
  if (type === 1) checkDescription(issues, raw.description, [...path, 'description']);
  else if (raw.description !== undefined && raw.description !== '' && raw.description !== null) {
    issues.push({
      path: [...path, 'description'],
      code: 'APPLICATION_COMMAND_DESCRIPTION_INVALID',
      message: 'Context menu commands cannot have a description',
    });
  }
  if (type === 1) validateOptions(issues, raw.options, [...path, 'options'], 'top');
  else if (Array.isArray(raw.options) && raw.options.length > 0) {
    issues.push({
      path: [...path, 'options'],
      code: 'APPLICATION_COMMAND_OPTIONS_INVALID',
      message: 'Context menu commands cannot have options',
    });
  }
  const dmp = raw.default_member_permissions;
  if (dmp !== undefined && dmp !== null && (typeof dmp !== 'string' || !/^\d+$/.test(dmp))) {
    issues.push({
      path: [...path, 'default_member_permissions'],
      code: 'NUMBER_TYPE_COERCE',
      message: `Value "${String(dmp)}" is not int.`,
    });
  }
  if (raw.dm_permission !== undefined && raw.dm_permission !== null && typeof raw.dm_permission !== 'boolean') {
    issues.push(wrongType([...path, 'dm_permission'], 'boolean'));
  }
  for (const [key, allowed] of [
    ['contexts', [0, 1, 2]],
    ['integration_types', [0, 1]],
  ] as const) {
    const v = raw[key];
    if (v === undefined || v === null) continue;
    if (!Array.isArray(v)) issues.push(wrongType([...path, key], 'array'));
    else
      v.forEach((x: unknown, i) => {
        if (!(allowed as readonly unknown[]).includes(x))
          issues.push({ path: [...path, key, i], code: 'ENUM_TYPE_COERCE', message: `Value "${String(x)}" is not a valid enum value.` });
      });
  }
  if (scope === 'guild' && Array.isArray(raw.contexts)) {
    issues.push({ path: [...path, 'contexts'], code: 'APPLICATION_COMMAND_CONTEXTS_GUILD', message: 'Guild commands cannot set contexts' });
  }
  if (commandSize(raw) > 4000) issues.push({ path, code: 'APPLICATION_COMMAND_TOO_LARGE', message: 'Command exceeds maximum size (4000)' });
  return issues;
}

/** Validates a bulk-overwrite body: an array of commands with unique names per type and per-type count limits. */
export function validateCommandList(body: unknown, scope: 'global' | 'guild'): Issue[] {
  if (!Array.isArray(body)) return [wrongType([], 'array')];
  const issues: Issue[] = [];
  const seen = new Set<string>();
  const perType = new Map<number, number>();
  body.forEach((raw: unknown, i) => {
    issues.push(...validateCommand(raw, [i], scope));
    if (!isObject(raw)) return;
    const type = (raw.type as number | undefined) ?? 1;
    perType.set(type, (perType.get(type) ?? 0) + 1);
    const key = `${type}:${String(raw.name)}`;
    if (seen.has(key))
      issues.push({ path: [i, 'name'], code: 'APPLICATION_COMMANDS_DUPLICATE_NAME', message: 'Application command names must be unique' });
    seen.add(key);
  });
  for (const [type, count] of perType) {
    const max = type === 1 ? 100 : 15;
    if (count > max)
      issues.push({
        path: [],
        code: 'APPLICATION_COMMANDS_TOO_MANY',
        message: `Maximum number of application commands of type ${type} reached (${max})`,
      });
  }
  return issues;
}

/** Validates an autocomplete result (callback type 8): ≤25 choices, names 1–100, string values ≤100. */
export function validateAutocompleteResult(data: unknown): Issue[] {
  const issues: Issue[] = [];
  const choices = isObject(data) ? data.choices : undefined;
  if (!Array.isArray(choices)) return [required(['data', 'choices'])];
  if (choices.length > 25) issues.push(tooLong(['data', 'choices'], 25));
  choices.forEach((choice: unknown, i) => {
    const c = isObject(choice) ? choice : {};
    checkString100(issues, c.name, ['data', 'choices', i, 'name']);
    if (typeof c.value === 'string') {
      if ([...c.value].length > 100) issues.push(tooLong(['data', 'choices', i, 'value'], 100));
    } else if (typeof c.value !== 'number') issues.push(required(['data', 'choices', i, 'value']));
  });
  return issues;
}
