import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { freePort } from "./ports";

export interface ReceivedMail {
  to: string[];
  subject: string;
  text: string;
}

/**
 * A real SMTP server on loopback for the tests that send mail: what it receives (recipients as the
 * envelope says, subject and text as parsed), and a switch that makes it refuse every recipient.
 */
export async function startSmtpInbox() {
  const inbox: ReceivedMail[] = [];
  const state = { refuse: false };
  const port = await freePort();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    onRcptTo(_address, _session, callback) {
      callback(state.refuse ? new Error("mailbox unavailable") : undefined);
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          inbox.push({
            to: session.envelope.rcptTo.map((r) => r.address).sort(),
            subject: mail.subject ?? "",
            text: mail.text ?? "",
          });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    port,
    inbox,
    /** Refuse (or accept again) every recipient, as a full mailbox would. */
    refuse: (on: boolean) => {
      state.refuse = on;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
