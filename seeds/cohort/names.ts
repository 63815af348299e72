/**
 * Name pools for the synthetic cohort. Given and family names are drawn independently, so
 * every person is an invented combination; pools loosely follow the broad ethnic groups
 * so that a demo screen looks like a real English caseload.
 */
import type { Random } from '../prng.ts';

interface NamePool {
  female: readonly string[];
  male: readonly string[];
  family: readonly string[];
}

const BRITISH: NamePool = {
  female: ['Amy', 'Beth', 'Carla', 'Dawn', 'Emma', 'Gemma', 'Hayley', 'Jade', 'Karen', 'Kelly', 'Lisa', 'Lorraine', 'Michelle', 'Nicola', 'Paula', 'Rachel', 'Sarah', 'Stacey', 'Tracy', 'Zoe', 'Leanne', 'Joanne', 'Claire', 'Donna'],
  male: ['Adam', 'Barry', 'Craig', 'Darren', 'Dean', 'Gary', 'Jamie', 'Jason', 'Kevin', 'Lee', 'Mark', 'Neil', 'Paul', 'Ryan', 'Scott', 'Shaun', 'Stephen', 'Steven', 'Wayne', 'Liam', 'Carl', 'Martin', 'Stuart', 'Glen'],
  family: ['Ashworth', 'Barnes', 'Bradley', 'Carter', 'Dawson', 'Ellis', 'Fletcher', 'Gibson', 'Hargreaves', 'Holt', 'Jackson', 'Kershaw', 'Lomax', 'Marsden', 'Nuttall', 'Owens', 'Pickering', 'Rigby', 'Shaw', 'Thornton', 'Walsh', 'Whittaker', 'Yates', 'Crossley', 'Haworth', 'Sutcliffe'],
};
const IRISH: NamePool = {
  female: ['Siobhan', 'Niamh', 'Aoife', 'Ciara', 'Roisin', 'Maeve'],
  male: ['Sean', 'Declan', 'Eoin', 'Padraig', 'Cormac', 'Ciaran'],
  family: ['Brennan', 'Doherty', 'Gallagher', 'Kavanagh', 'McGuire', 'Quinn', 'Rooney', 'Sheehan'],
};
const EUROPEAN: NamePool = {
  female: ['Agnieszka', 'Ioana', 'Katarzyna', 'Laura', 'Marta', 'Elena', 'Ilona', 'Daria'],
  male: ['Andrzej', 'Marius', 'Tomasz', 'Jonas', 'Piotr', 'Vasile', 'Darius', 'Mihai'],
  family: ['Nowak', 'Kowalczyk', 'Popescu', 'Petrauskas', 'Wisniewski', 'Dumitru', 'Horvath', 'Ozolins'],
};
const SOUTH_ASIAN: NamePool = {
  female: ['Aisha', 'Farah', 'Nasreen', 'Priya', 'Shabana', 'Sunita', 'Rukhsana', 'Anjali'],
  male: ['Amir', 'Faisal', 'Imran', 'Kamran', 'Rajesh', 'Sajid', 'Tariq', 'Vikram'],
  family: ['Ahmed', 'Begum', 'Hussain', 'Iqbal', 'Khan', 'Mahmood', 'Patel', 'Sharma', 'Rahman', 'Chowdhury'],
};
const BLACK: NamePool = {
  female: ['Abena', 'Chantelle', 'Grace', 'Kemi', 'Marcia', 'Natalie', 'Simone', 'Folake'],
  male: ['Andre', 'Delroy', 'Kwame', 'Marlon', 'Tunde', 'Winston', 'Emeka', 'Jermaine'],
  family: ['Adeyemi', 'Campbell', 'Mensah', 'Okonkwo', 'Reid', 'Thompson', 'Williams', 'Boateng', 'Clarke', 'Grant'],
};
const EAST_ASIAN: NamePool = {
  female: ['Mei', 'Lin', 'Hui', 'Xiu'],
  male: ['Wei', 'Jun', 'Hao', 'Ming'],
  family: ['Chen', 'Wong', 'Li', 'Zhang', 'Lam'],
};
const ARAB: NamePool = {
  female: ['Layla', 'Noor', 'Salma', 'Huda'],
  male: ['Omar', 'Yusuf', 'Karim', 'Samir'],
  family: ['Haddad', 'Mansour', 'Nasser', 'Saleh', 'Farouk'],
};

function poolFor(ethnicity: string, random: Random): NamePool {
  if (ethnicity === 'white_irish' || ethnicity === 'white_gypsy_traveller') return IRISH;
  if (ethnicity === 'white_other' || ethnicity === 'white_roma') return EUROPEAN;
  if (ethnicity === 'asian_chinese') return EAST_ASIAN;
  if (ethnicity.startsWith('asian_')) return SOUTH_ASIAN;
  if (ethnicity.startsWith('black_')) return BLACK;
  if (ethnicity === 'other_arab') return ARAB;
  if (ethnicity.startsWith('mixed_')) return random.chance(0.5) ? BRITISH : BLACK;
  return BRITISH;
}

/** An invented given and family name for someone of this sex and ethnicity. */
export function drawName(random: Random, sex: string, ethnicity: string): { given: string; family: string } {
  const pool = poolFor(ethnicity, random);
  const given = random.pick(sex === 'female' ? pool.female : sex === 'male' ? pool.male : random.chance(0.5) ? pool.female : pool.male);
  return { given, family: random.pick(pool.family) };
}
