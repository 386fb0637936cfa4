import nodemailer from "nodemailer";
import { getEnv } from "../env";
import { componentLog } from "../ops/log";

const logger = componentLog("mail");

/**
 * Outbound mail, only when SMTP_URL is set; everything works without it (invite links are
 * shown to the inviter to pass on). A failure to send is logged and reported, never fatal.
 */
export async function sendInvitationMail(params: { to: string; url: string; workspaceName: string; inviterName: string; role: string }): Promise<boolean> {
  const env = getEnv();
  if (!env.SMTP_URL) return false;
  try {
    const transport = nodemailer.createTransport(env.SMTP_URL);
    await transport.sendMail({
      from: env.SMTP_FROM,
      to: params.to,
      subject: `${params.inviterName} invited you to ${params.workspaceName} on AgentFlow`,
      text: [
        `${params.inviterName} invited you to join the workspace "${params.workspaceName}" on AgentFlow as ${params.role}.`,
        "",
        `Accept the invitation: ${params.url}`,
        "",
        "The link works once and expires in 7 days.",
      ].join("\n"),
    });
    return true;
  } catch (error) {
    // The message never includes the link: it is a credential.
    logger.error({ err: error, to: params.to }, "could not send the invitation");
    return false;
  }
}
