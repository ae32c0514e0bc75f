import type { CommandHandler } from '../state';
import { a } from './a';
import { d } from './d';
import { dr } from './dr';
import { dv } from './dv';
import { f } from './f';
import { g } from './g';
import { l } from './l';
import { m } from './m';
import { mfag } from './mfag';
import { p } from './p';
import { s2 } from './s2';
import { sml } from './sml';
import { u } from './u';
import { ug } from './ug';
import { up } from './up';
import { uq } from './uq';
import { us } from './us';
import { us0 } from './us0';

/** Every `cs` command the sandbox answers; anything else gets -2 (EARGS). */
export const COMMANDS: Record<string, CommandHandler> = { us0, us, up, ug, uq, sml, mfag, f, p, m, d, dr, dv, a, l, s2, g, u };

/** Commands that can run without a session (login, ephemeral signup, public links). */
export const NO_SESSION = new Set(['us0', 'us', 'up', 'mfag', 'g', 'f']);
