/**
 * The SDK's declared shape of a Stripe object, read from stripe-node's own declaration files with
 * the TypeScript parser: which fields an interface declares and which it marks optional, and the
 * nested interfaces (`Price.Recurring`, `SubscriptionItem`) its fields refer to. The emulator's objects are compiled
 * against these types, but a spread of extra fields is not an error to `tsc`: this finds them.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ts from 'typescript';

interface Field {
  optional: boolean;
  /** Candidate qualified names of the interfaces the field's type refers to (through `| null`, arrays and lists). */
  refs: string[];
}
type Shape = Map<string, Field>;

const resources = join(dirname(createRequire(import.meta.url).resolve('stripe')), '..', 'esm', 'resources');

function referencedNames(type: ts.TypeNode | undefined, src: ts.SourceFile): string[] {
  if (!type) return [];
  if (ts.isUnionTypeNode(type)) return type.types.flatMap((t) => referencedNames(t, src));
  if (ts.isArrayTypeNode(type)) return referencedNames(type.elementType, src);
  if (ts.isTypeReferenceNode(type)) {
    const name = type.typeName.getText(src);
    if ((name === 'Array' || name === 'ApiList') && type.typeArguments) return type.typeArguments.flatMap((t) => referencedNames(t, src));
    return [name];
  }
  return [];
}

/** Every interface of the declaration files, by qualified name (`Price`, `Price.Recurring`). */
export function declaredShapes(files: string[]): Map<string, Shape> {
  const shapes = new Map<string, Shape>();
  for (const file of files) readShapes(file, shapes);
  return shapes;
}

function readShapes(file: string, shapes: Map<string, Shape>): void {
  const src = ts.createSourceFile(file, readFileSync(join(resources, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const visit = (node: ts.Node, path: string[]) => {
    if (ts.isModuleDeclaration(node)) {
      const inner = [...path, node.name.getText(src)];
      if (node.body && ts.isModuleBlock(node.body)) for (const s of node.body.statements) visit(s, inner);
      return;
    }
    if (ts.isInterfaceDeclaration(node)) {
      const shape: Shape = new Map();
      for (const member of node.members) {
        if (!ts.isPropertySignature(member)) continue;
        // A name resolves from the innermost namespace outwards, as TypeScript does: every candidate, tried when checking.
        const refs = referencedNames(member.type, src).flatMap((name) => path.map((_, i) => [...path.slice(0, path.length - i), name].join('.')).concat(name));
        shape.set(member.name.getText(src), { optional: member.questionToken !== undefined, refs });
      }
      shapes.set([...path, node.name.text].join('.'), shape);
      return;
    }
    ts.forEachChild(node, (child) => visit(child, path));
  };
  visit(src, []);
}

/**
 * How `value` differs from the declared interface `name`: fields the SDK does not declare, and
 * declared fields that are not optional yet absent; nested interfaces are followed.
 */
export function shapeProblems(shapes: Map<string, Shape>, name: string, value: unknown, at = name): string[] {
  const shape = shapes.get(name);
  if (!shape || !value || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => shapeProblems(shapes, name, v, `${at}[${i}]`));
  const object = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(object)) if (!shape.has(key)) problems.push(`${at}.${key}: not declared by the SDK`);
  for (const [key, field] of shape) {
    if (!(key in object)) {
      if (!field.optional) problems.push(`${at}.${key}: declared required, absent`);
      continue;
    }
    const inner = object[key];
    if (inner && typeof inner === 'object') {
      const list = !Array.isArray(inner) && (inner as { object?: unknown }).object === 'list' ? (inner as { data: unknown[] }).data : inner;
      const ref = field.refs.find((r) => shapes.has(r));
      if (ref) problems.push(...shapeProblems(shapes, ref, list, `${at}.${key}`));
    }
  }
  return problems;
}
