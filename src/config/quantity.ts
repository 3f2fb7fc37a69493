/**
 * Quantities with units in the YAML: `maxnorm: 7.5 cm`, `max_step_rotation: 15 deg`,
 * `max_linear_speed: 10 cm/s`, `workspace_min: [30 cm, -0.4, 5 cm]`. A string given for a parameter
 * that has units is parsed by mathjs and converted to the parameter's unit; a plain number is already in
 * it. mathjs is loaded only when such a string appears (it takes a second to load).
 */

type MathUnit = { toNumber(unit: string): number };
let mathUnit: ((text: string) => MathUnit) | null = null;

/** The declared unit as mathjs writes it. */
const mathjsUnit = (units: string): string => (units === "1/s" ? "s^-1" : units);

/**
 * `v` with every quantity string converted to the parameter's unit; other values unchanged (the
 * declaration's checks judge them). Returns an error message naming the parameter when a string cannot
 * be read as a quantity of that unit.
 */
export function withDeclaredUnits(name: string, p: { type: string; units?: string }, v: unknown): { value: unknown } | { error: string } {
  if (p.units === undefined || (p.type !== "double" && p.type !== "double_array")) return { value: v };
  const convert = (x: unknown): number | string => {
    if (typeof x !== "string") return x as number;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      mathUnit ??= (require("mathjs") as { unit: (text: string) => MathUnit }).unit;
      return mathUnit(x).toNumber(mathjsUnit(p.units as string));
    } catch (e) {
      return `${name}: ${JSON.stringify(x)} is not a quantity in ${p.units} (${(e as Error).message})`;
    }
  };
  if (Array.isArray(v)) {
    const out = v.map(convert);
    const bad = out.find((x) => typeof x === "string");
    return typeof bad === "string" ? { error: bad } : { value: out };
  }
  const out = convert(v);
  return typeof out === "string" && typeof v === "string" ? { error: out } : { value: out };
}
