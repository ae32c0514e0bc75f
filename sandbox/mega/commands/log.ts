import type { CommandHandler } from '../state';

/** Client event log (`{"a":"log","e":<event id>,"m":"…"}`, MEGA's SDK `CommandSendEvent`): accepted and dropped, 0. */
export const log: CommandHandler = () => 0;
