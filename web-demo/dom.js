// A small element builder shared by the checklist's modules (no innerHTML anywhere: every text
// from the rules or the person is set as text).

/** el('p', { class: 'x', text: 'hello', hidden: true }, child, [children]) */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'text') e.textContent = v;
    else if (k === 'class') e.className = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined && c !== false && c !== '') e.append(c);
  return e;
}
