import { z } from "zod";

/**
 * A text the panel says to a person, kept as a message id and its values
 * until it is shown: the id is the English sentence with {0}, {1}… where the
 * values go (written in the code with the `msg` tag, so the sentence reads
 * where it is thrown), and a catalog maps ids to other languages. Values are
 * data (names, paths, figures) shown as they are, or messages of their own
 * (the error a failure carries), rendered in turn. A `Wording` is either a
 * message or a plain sentence without values (its own id).
 */
// A type, not an interface: it is stored as it is in JSON columns.
export type Message = {
  readonly id: string;
  readonly values: readonly MessageValue[];
};
/** null shows as in a template literal (a figure a failed command did not give). */
export type MessageValue = string | number | null | Message;
export type Wording = string | Message;

/** `msg\`Host ${name} is down.\`` → { id: "Host {0} is down.", values: [name] }. */
export function msg(strings: TemplateStringsArray, ...values: MessageValue[]): Message {
  return { id: strings.reduce((id, part, i) => (i === 0 ? part : `${id}{${i - 1}}${part}`), ""), values };
}

export function isMessage(value: unknown): value is Message {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Message).id === "string" &&
    Array.isArray((value as Message).values)
  );
}

/** A text as a message (a plain sentence is its own id). */
export function asMessage(text: Wording): Message {
  return typeof text === "string" ? { id: text, values: [] } : text;
}

/**
 * Fill a message's values into a sentence with {0}, {1}… (the catalog's
 * translation, or the id itself for English); each value through `value`.
 */
export function fill(sentence: string, values: readonly MessageValue[], value: (v: MessageValue) => string): string {
  return sentence.replace(/\{(\d+)\}/g, (whole, n: string) => {
    const v = values[Number(n)];
    return v === undefined ? whole : value(v);
  });
}

/** The text in English, as logs and the journal keep it. */
export function englishText(text: Wording): string {
  if (typeof text === "string") return text;
  return fill(text.id, text.values, (v) => (isMessage(v) ? englishText(v) : String(v)));
}

/** A stored text (a JSON column): a sentence, or a message with its values. */
export const textSchema: z.ZodType<Wording> = z.union([
  z.string(),
  z.object({
    id: z.string(),
    values: z.array(z.union([z.string(), z.number(), z.null(), z.lazy(() => textSchema)])),
  }),
]) as z.ZodType<Wording>;

/** Texts one after the other ("a; b; c"), each rendered in the reader's language. */
export function joinTexts(texts: readonly Wording[], separator = "; "): Message {
  return { id: texts.map((_, i) => `{${i}}`).join(separator), values: texts.map(asMessage) };
}

/** A stored text (Operation.errorText, Backup.errorText, a reason in a JSON column), or null when there is none or it does not parse. */
export function storedText(value: unknown): Wording | null {
  const parsed = textSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}
