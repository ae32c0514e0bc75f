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
import { avu } from './avu';
import { ftz } from './ftz';
import { gpsa } from './gpsa';
import { log } from './log';
import { pk } from './pk';
import { qbq } from './qbq';
import { stp } from './stp';
import { uga } from './uga';
import { up2 } from './up2';
import { upv } from './upv';
import { usl } from './usl';
import { utp } from './utp';
import { utt } from './utt';

/** Every `cs` command the sandbox answers; anything else gets -2 (EARGS). */
export const COMMANDS: Record<string, CommandHandler> = {
	us0,
	us,
	up,
	ug,
	uq,
	sml,
	mfag,
	f,
	p,
	m,
	d,
	dr,
	dv,
	a,
	l,
	s2,
	g,
	u,
	// Versioned user attributes and what MEGA's SDK asks at login (answered as MEGA does, or "not available").
	upv,
	up2,
	uga,
	stp,
	ftz,
	log,
	pk,
	utt,
	utp,
	usl,
	gpsa,
	qbq,
	avu,
};

/** Commands that can run without a session (login, ephemeral signup, public links). */
export const NO_SESSION = new Set(['us0', 'us', 'up', 'mfag', 'g', 'f', 'ftz', 'log', 'qbq']);
