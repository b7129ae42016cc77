/**
 * YAML anchors and aliases in the config file (`a: &base {...}`, `b: *base`, `<<: *base`): before
 * a node is replaced or removed, every alias elsewhere that points into it becomes a copy of what
 * it pointed at, so the other environments keep their values and the file stays valid YAML.
 */
import { type Document, isAlias, isNode, type Node, visit } from "yaml";

/** Copies, in place of their aliases, the anchored nodes inside the node at `path`. */
export function copyAliasesInto(doc: Document, path: string[]): void {
  const target = doc.getIn(path, true);
  if (!isNode(target)) return;
  const anchors = new Set<string>();
  visit(target, {
    Node(_, node) {
      if (node.anchor) anchors.add(node.anchor);
    },
  });
  if (anchors.size === 0) return;
  visit(doc, {
    Node(_, node) {
      if (node === target) return visit.SKIP;
      if (!isAlias(node) || !anchors.has(node.source)) return undefined;
      const copy = node.resolve(doc)?.clone() as Node | undefined;
      if (!copy) return undefined;
      // The copy must not define the anchor a second time.
      visit(copy, {
        Node(_, inner) {
          if (!isAlias(inner)) inner.anchor = undefined;
        },
      });
      return copy;
    },
  });
}
