// A TypeDoc plugin for `npm run docs`, for the two things TypeDoc shows differently from
// TypeScript's own hover in the functions and Tensor methods made from the op functions:
// - TypeDoc reads a member's comment only from declarations of the kind it converts the member to;
//   a Tensor method made from an op function (api/tensor.ts) is a property whose declaration is
//   that function, so it finds none. This reads it as a call signature's, the kind a function's is.
// - Their types are written `(...args: Parameters<F>) => …`, which TypeDoc prints as one rest
//   parameter of a tuple; this spreads the tuple's named members back into parameters.

import { Converter, ParameterReflection, ReflectionFlag, ReflectionKind } from "typedoc";
import ts from "typescript";

/**
 * The parameters that `signature`'s one rest parameter, a tuple of named members, stands for;
 * `flags` are the tuple's element flags (TypeDoc's model loses which members are optional).
 */
function spread(signature, param, flags) {
  const tuple = param.type;
  if (tuple?.type !== "tuple" || !tuple.elements.every((e) => e.type === "namedTupleMember")) return null;
  return tuple.elements.map((member, i) => {
    const p = new ParameterReflection(member.name, ReflectionKind.Parameter, signature);
    let type = member.element;
    if (type.type === "optional") type = type.elementType;
    if (type.type === "rest") type = type.elementType;
    if (flags[i] & ts.ElementFlags.Optional) p.setFlag(ReflectionFlag.Optional, true);
    if (flags[i] & ts.ElementFlags.Variable) p.setFlag(ReflectionFlag.Rest, true);
    p.type = type;
    return p;
  });
}

/** @param {import("typedoc").Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, reflection) => {
    if (reflection.comment || !reflection.kindOf(ReflectionKind.Property)) return;
    const symbol = context.getSymbolFromReflection(reflection);
    if (symbol) reflection.comment = context.getComment(symbol, ReflectionKind.CallSignature);
  });
  app.converter.on(Converter.EVENT_CREATE_SIGNATURE, (context, signature, _declaration, tsSignature) => {
    const [only, ...others] = signature.parameters ?? [];
    const rest = tsSignature?.parameters.at(-1);
    if (!only?.flags.isRest || others.length || !rest) return;
    const flags = context.checker.getTypeOfSymbol(rest).target?.elementFlags ?? [];
    const params = spread(signature, only, flags);
    if (!params) return;
    context.project.removeReflection(only);
    signature.parameters = params;
    for (const p of params) context.registerReflection(p, undefined);
  });
}
